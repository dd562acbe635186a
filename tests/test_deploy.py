"""``briefing deploy``: build, commit _site/ to gh-pages, push; refuse cleanly when anything is wrong."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from site_builder.cli import main
from site_builder.commands.deploy import deploy
from site_builder.errors import BuildError, BuildErrors
from site_builder.compute.project import Project

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests/fixtures/mini/content"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(autouse=True)
def git_identity(monkeypatch, tmp_path):
    """A known committer, and no user or system git config leaking in."""
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Deploy Test")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "deploy@example.org")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture
def remote(tmp_path) -> Path:
    path = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", str(path))
    return path


@pytest.fixture
def project(tmp_path, remote, chart_cache) -> Project:
    """The mini site in a git repository on branch main, one commit, with ``origin`` the bare remote."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root / "content")
    shutil.copytree(chart_cache, root / ".briefing-cache")
    (root / ".gitignore").write_text("_site/\n.briefing-cache/\n")
    git(root, "init", "--quiet", "--initial-branch", "main")
    git(root, "add", "-A")
    git(root, "commit", "--quiet", "-m", "Content")
    git(root, "remote", "add", "origin", str(remote))
    return Project.at(root)


def set_cname(project: Project, cname: str) -> None:
    site_yaml = project.content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text() + f"cname: {cname}\n")


def remote_files(remote: Path, branch: str = "gh-pages") -> set[str]:
    return set(git(remote, "ls-tree", "-r", "--name-only", branch).splitlines())


def remote_branches(remote: Path) -> list[str]:
    return git(remote, "for-each-ref", "--format=%(refname:short)", "refs/heads").split()


def test_deploy_pushes_the_built_site_to_gh_pages(project, remote):
    set_cname(project, "briefings.example.org")
    result = deploy(project)
    files = remote_files(remote)
    assert {"index.html", ".nojekyll", "CNAME", "briefings/widget-outlook/index.html", "sitemap.xml",
            "feed.xml", "robots.txt", "charts/outlook.card.png"} <= files
    built = {p.relative_to(project.out).as_posix() for p in project.out.rglob("*") if p.is_file()}
    assert files == built
    assert git(remote, "show", "gh-pages:CNAME") == "briefings.example.org"
    assert result.commit == git(remote, "rev-parse", "gh-pages")
    assert result.pushed_to == "origin"


def test_deploy_leaves_the_working_tree_and_current_branch_alone(project):
    head = git(project.root, "rev-parse", "HEAD")
    deploy(project)
    assert git(project.root, "symbolic-ref", "--short", "HEAD") == "main"
    assert git(project.root, "rev-parse", "HEAD") == head
    assert git(project.root, "status", "--porcelain") == ""


def test_deploy_without_cname_publishes_no_cname(project, remote):
    deploy(project)
    assert "CNAME" not in remote_files(remote)


def test_commit_message_names_the_source_commit_or_the_given_message(project, remote):
    deploy(project)
    source = git(project.root, "rev-parse", "--short", "HEAD")
    assert source in git(remote, "log", "-1", "--format=%s", "gh-pages")
    edit_briefing(project)  # an unchanged site would not be committed at all
    deploy(project, message="Publish the widget outlook")
    assert git(remote, "log", "-1", "--format=%s", "gh-pages") == "Publish the widget outlook"


def test_each_deploy_adds_a_commit_on_top_of_the_published_history(project, remote):
    deploy(project)
    first = git(remote, "rev-parse", "gh-pages")
    briefing = project.content / "briefings/widget-outlook.md"
    briefing.write_text(briefing.read_text().replace("Widget outlook", "Widget outlook, revised"))
    deploy(project)
    assert git(remote, "rev-parse", "gh-pages^") == first
    assert "Widget outlook, revised" in git(remote, "show", "gh-pages:index.html")


def test_content_errors_stop_the_deploy_before_anything_is_committed_or_pushed(project, remote):
    facts = project.content / "facts/widgets.yaml"
    facts.write_text(facts.read_text().replace("source: agency", "source: no-such-source", 1))
    with pytest.raises(BuildErrors) as caught:
        deploy(project)
    assert any("no-such-source" in p.message for p in caught.value.problems)
    assert remote_branches(remote) == []
    assert git(project.root, "branch", "--list", "gh-pages") == ""


def test_cli_deploy_exits_1_with_located_errors_and_pushes_nothing(project, remote, capsys):
    facts = project.content / "facts/widgets.yaml"
    facts.write_text(facts.read_text().replace("source: agency", "source: no-such-source", 1))
    assert main(["deploy", "--root", str(project.root)]) == 1
    assert "content/facts/widgets.yaml:" in capsys.readouterr().err
    assert remote_branches(remote) == []


def test_cli_deploy_to_a_custom_branch_says_what_it_pushed_and_warns_about_failed_checks(project, remote, capsys):
    assert main(["deploy", "--root", str(project.root), "--branch", "site", "--message", "M"]) == 0
    assert remote_branches(remote) == ["site"]
    out, err = capsys.readouterr()
    assert f"to site ({git(remote, 'rev-parse', 'site')[:12]}), pushed to origin" in out
    assert "warning: check 'forecast-2030'" in err


def test_no_push_commits_locally_only(project, remote):
    result = deploy(project, push=False)
    assert remote_branches(remote) == []
    assert git(project.root, "rev-parse", "gh-pages") == result.commit
    assert result.pushed_to is None


def test_outside_a_git_repository_deploy_refuses(tmp_path):
    root = tmp_path / "plain"
    shutil.copytree(FIXTURE, root / "content")
    with pytest.raises(BuildError, match="not inside a git repository"):
        deploy(Project.at(root))
    assert not (root / "_site").exists()


def test_a_missing_remote_is_named_before_building(project):
    with pytest.raises(BuildError, match="no git remote named 'upstream'"):
        deploy(project, remote="upstream")
    assert not project.out.exists()


def test_a_failed_push_is_a_build_error_with_gits_reason(project, tmp_path):
    git(project.root, "remote", "add", "broken", str(tmp_path / "missing.git"))
    with pytest.raises(BuildError, match="git push broken gh-pages failed: .*does not appear to be a git repository"):
        deploy(project, remote="broken")


def test_a_rejected_push_is_a_build_error(project, remote, tmp_path):
    deploy(project)
    other = tmp_path / "other"  # someone else publishes meanwhile, from a repository without our history
    git(tmp_path, "init", "--quiet", "--initial-branch", "gh-pages", str(other))
    (other / "index.html").write_text("theirs")
    git(other, "add", "-A")
    git(other, "commit", "--quiet", "-m", "theirs")
    git(other, "push", "--quiet", "--force", str(remote), "gh-pages")
    with pytest.raises(BuildError, match=r"git push origin gh-pages failed: .*rejected"):
        deploy(project)
    assert git(remote, "show", "gh-pages:index.html") == "theirs"


def test_deploy_refuses_to_overwrite_the_checked_out_branch(project, remote):
    with pytest.raises(BuildError, match="checked out"):
        deploy(project, branch="main")
    assert remote_branches(remote) == []


def test_deploy_needs_a_committer_identity(project, monkeypatch):
    for variable in ("GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(variable)
    with pytest.raises(BuildError, match="user.name"):
        deploy(project)
    git(project.root, "config", "user.name", "Config Name")
    git(project.root, "config", "user.email", "config@example.org")
    deploy(project)
    assert git(project.root, "log", "-1", "--format=%cn", "gh-pages") == "Config Name"


def test_pages_workflow_builds_with_make_site_at_the_pages_url_and_deploys_with_the_official_actions():
    workflow = yaml.safe_load((REPO / ".github/workflows/pages.yml").read_text())
    build, publish = workflow["jobs"]["build"]["steps"], workflow["jobs"]["deploy"]["steps"]
    actions = {step["uses"].split("@")[0]: step for step in build + publish if "uses" in step}
    assert {"actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"} <= set(actions)
    make = next(step for step in build if "make site" in step.get("run", ""))
    assert "--base-url $BASE_URL/" in make["run"]
    assert make["env"]["BASE_URL"] == "${{ steps.%s.outputs.base_url }}" % actions["actions/configure-pages"]["id"]
    assert actions["actions/upload-pages-artifact"]["with"]["path"] == "_site"
    assert workflow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}  # test_workflow.py


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_site_passes_build_args_to_the_build():
    dry_run = subprocess.run(["make", "-n", "site", "BUILD_ARGS=--base-url https://u.github.io/r/"],
                             cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert "briefing build --base-url https://u.github.io/r/" in dry_run


def test_strict_deploy_refuses_a_site_with_warnings(project, remote, capsys):
    assert main(["deploy", "--strict", "--root", str(project.root)]) == 1
    err = capsys.readouterr().err
    assert "content/facts/widgets.yaml:56: warning: check 'forecast-2030'" in err
    assert err.splitlines()[-1] == "briefing: 1 warning(s), failing because of --strict; nothing was deployed"
    assert remote_branches(remote) == []
    assert git(project.root, "branch", "--list", "gh-pages") == ""
    assert main(["deploy", "--root", str(project.root)]) == 0  # without --strict the warning is only a warning
    assert "index.html" in remote_files(remote)


# Uncommitted sources, unchanged sites, dry runs ------------------------------------------------------------

def edit_briefing(project: Project, old: str = "Widget outlook", new: str = "Widget outlook, revised") -> None:
    briefing = project.content / "briefings/widget-outlook.md"
    text = briefing.read_text()
    assert old in text
    briefing.write_text(text.replace(old, new))


def test_a_clean_tree_deploys_without_a_word_about_uncommitted_changes(project, remote, capsys):
    assert main(["deploy", "--root", str(project.root)]) == 0
    assert "uncommitted" not in capsys.readouterr().err
    assert git(remote, "log", "-1", "--format=%s", "gh-pages").startswith(
        f"Deploy site from {git(project.root, 'rev-parse', '--short', 'HEAD')} with briefing ")


def test_uncommitted_sources_are_warned_about_and_named_in_the_deploy_message(project, remote, capsys):
    edit_briefing(project)
    (project.root / "static").mkdir()
    (project.root / "static/extra.css").write_text("p { color: black }\n")  # untracked counts too
    (project.root / "notes.txt").write_text("not a source of the site\n")
    assert main(["deploy", "--root", str(project.root)]) == 0
    err = capsys.readouterr().err
    assert ("briefing: warning: the site is built from 2 file(s) with uncommitted changes "
            "(content/briefings/widget-outlook.md, static/extra.css); the deploy message says so") in err
    source = git(project.root, "rev-parse", "--short", "HEAD")
    assert f"from {source} + uncommitted changes with briefing" in git(remote, "log", "-1", "--format=%s", "gh-pages")


def test_strict_deploy_refuses_uncommitted_sources(project, remote):
    facts = project.content / "facts/widgets.yaml"
    facts.write_text(facts.read_text().replace("tolerance: 0.02", "tolerance: 0.99"))  # no warning left
    with pytest.raises(BuildError, match=r"1 source file\(s\) have uncommitted changes \(content/facts/widgets.yaml\)"):
        deploy(project, strict=True)
    assert remote_branches(remote) == []
    git(project.root, "commit", "--quiet", "-am", "Tolerance")
    assert deploy(project, strict=True).commit == git(remote, "rev-parse", "gh-pages")


def test_an_unchanged_site_is_not_committed_again(project, remote, capsys):
    first = deploy(project).commit
    assert main(["deploy", "--root", str(project.root)]) == 0
    out = capsys.readouterr().out
    assert out.strip() == (f"Nothing to deploy: the built site is what gh-pages ({first[:12]}) already holds, "
                           "no commit made")
    assert git(remote, "rev-parse", "gh-pages") == first
    assert git(project.root, "rev-parse", "gh-pages") == first


def test_an_unchanged_site_committed_without_push_is_pushed_by_the_next_deploy(project, remote):
    committed = deploy(project, push=False).commit
    assert remote_branches(remote) == []
    again = deploy(project)
    assert again.commit is None and again.pushed_to == "origin"
    assert git(remote, "rev-parse", "gh-pages") == committed


def test_a_changed_site_reports_which_files_changed(project, remote):
    deploy(project)
    edit_briefing(project)
    result = deploy(project)
    assert result.commit == git(remote, "rev-parse", "gh-pages")
    assert "briefings/widget-outlook/index.html" in result.changes.changed
    assert result.changes.added == () and result.changes.removed == ()
    assert result.changes.changed == tuple(sorted(
        path for path in git(remote, "diff", "--name-only", "gh-pages^", "gh-pages").splitlines()))


def test_dry_run_reports_what_would_change_and_commits_and_pushes_nothing(project, remote, capsys):
    assert main(["deploy", "--dry-run", "--root", str(project.root)]) == 0
    out = capsys.readouterr().out
    built = sorted(p.relative_to(project.out).as_posix() for p in project.out.rglob("*") if p.is_file())
    assert out.startswith(f"Dry run: would commit {len(built)} added, 0 changed, 0 removed: {', '.join(built[:5])} "
                          f"and {len(built) - 5} more to a new branch gh-pages and push it to origin")
    assert remote_branches(remote) == [] and git(project.root, "branch", "--list", "gh-pages") == ""

    published = deploy(project).commit
    edit_briefing(project)
    (project.root / "static").mkdir()
    (project.root / "static/robots-extra.txt").write_text("extra\n")
    result = deploy(project, dry_run=True)
    assert result.dry_run and result.commit is None and result.base == published
    assert result.changes.added == ("static/robots-extra.txt",)
    assert "briefings/widget-outlook/index.html" in result.changes.changed
    assert git(remote, "rev-parse", "gh-pages") == published == git(project.root, "rev-parse", "gh-pages")
    assert main(["deploy", "--dry-run", "--no-push", "--root", str(project.root)]) == 0
    assert " and push" not in capsys.readouterr().out


def test_dry_run_of_an_unchanged_site_says_there_is_nothing_to_deploy(project, remote):
    published = deploy(project).commit
    result = deploy(project, dry_run=True)
    assert not result.changes
    assert result.summary() == f"Dry run: nothing to deploy, the built site is what gh-pages ({published[:12]}) holds"


def test_dry_run_needs_no_committer(project, monkeypatch):
    for variable in ("GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(variable)
    assert deploy(project, dry_run=True).changes.added


def test_a_remote_branch_moved_since_the_last_fetch_is_not_taken_for_an_unchanged_site(project, remote, tmp_path):
    deploy(project)
    clone = tmp_path / "clone"  # another deploy of other content, from elsewhere
    git(tmp_path, "clone", "--quiet", "--branch", "gh-pages", str(remote), str(clone))
    (clone / "index.html").write_text("theirs")
    git(clone, "commit", "--quiet", "-am", "theirs")
    git(clone, "push", "--quiet", "origin", "gh-pages")
    assert "a deploy would be refused" in deploy(project, dry_run=True).summary()
    with pytest.raises(BuildError, match=r"git push origin gh-pages failed: .*rejected"):
        deploy(project)
    assert git(remote, "show", "gh-pages:index.html") == "theirs"
