// Offline full-text search. The index is a plain script (search/search-index.js sets
// window.SEARCH_INDEX), so it loads from file:// as well as over http: the page makes no
// requests of its own and loads no WebAssembly. Results are built node by node with DOM
// methods, never parsed from markup, so text from the index is always shown as text.
(function () {
  "use strict";
  var script = document.currentScript;
  var root = (script && script.getAttribute("data-root")) || "";
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var index = window.SEARCH_INDEX;
  if (!input || !list || !status) return;
  if (!index || !index.docs) {
    status.textContent = "The search index could not be loaded.";
    return;
  }

  // Lower case, accents removed: "Citroën" is found by "citroen".
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  var docs = index.docs.map(function (d) {
    return { doc: d, title: fold(d.t), summary: fold(d.s), text: fold(d.x) };
  });

  function words(query) {
    return fold(query).split(/[^\p{L}\p{N}]+/u).filter(function (w) { return w.length > 0; });
  }

  // Counts the words of `text` that start with `word`.
  function hits(text, word) {
    var count = 0, from = 0, at;
    while ((at = text.indexOf(word, from)) !== -1) {
      if (at === 0 || /[^\p{L}\p{N}]/u.test(text.charAt(at - 1))) count += 1;
      from = at + word.length;
    }
    return count;
  }

  function score(entry, terms) {
    var total = 0;
    for (var i = 0; i < terms.length; i++) {
      var t = hits(entry.title, terms[i]) * 10 + hits(entry.summary, terms[i]) * 3 + hits(entry.text, terms[i]);
      if (!t) return 0; // every word must be found
      total += t;
    }
    return total;
  }

  // A short passage around the first match, with the matched words marked.
  function snippet(doc, terms) {
    var source = doc.x || doc.s || "";
    var folded = fold(source);
    var at = -1;
    for (var i = 0; i < terms.length && at === -1; i++) at = folded.indexOf(terms[i]);
    var start = Math.max(0, at - 70);
    var end = Math.min(source.length, (at === -1 ? 0 : at) + 170);
    var text = (start > 0 ? "…" : "") + source.slice(start, end) + (end < source.length ? "…" : "");
    var p = document.createElement("p");
    p.className = "search-result__snippet";
    var foldedText = fold(text);
    var pos = 0;
    while (pos < text.length) {
      var next = -1, len = 0;
      for (var j = 0; j < terms.length; j++) {
        var k = foldedText.indexOf(terms[j], pos);
        if (k !== -1 && (next === -1 || k < next)) { next = k; len = terms[j].length; }
      }
      if (next === -1) { p.appendChild(document.createTextNode(text.slice(pos))); break; }
      p.appendChild(document.createTextNode(text.slice(pos, next)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(next, next + len);
      p.appendChild(mark);
      pos = next + len;
    }
    return p;
  }

  function render(query) {
    var terms = words(query);
    list.replaceChildren();
    if (!terms.length) {
      status.textContent = "";
      return;
    }
    var found = docs.map(function (e) { return { e: e, s: score(e, terms) }; })
      .filter(function (r) { return r.s > 0; })
      .sort(function (a, b) { return b.s - a.s || (a.e.doc.t < b.e.doc.t ? -1 : 1); });
    status.textContent = found.length === 0 ? "No results for “" + query + "”."
      : found.length + (found.length === 1 ? " result" : " results") + " for “" + query + "”.";
    found.slice(0, 50).forEach(function (r) {
      var d = r.e.doc;
      var li = document.createElement("li");
      li.className = "search-result";
      var h = document.createElement("h2");
      var a = document.createElement("a");
      a.href = root + d.u;
      a.textContent = d.t;
      h.appendChild(a);
      var meta = document.createElement("p");
      meta.className = "meta";
      meta.textContent = d.k + (d.d ? " · " + d.d : "");
      li.appendChild(h);
      li.appendChild(meta);
      if (d.s && d.k !== "Briefing") {
        var s = document.createElement("p");
        s.textContent = d.s;
        li.appendChild(s);
      }
      if (d.x || d.k === "Briefing") li.appendChild(snippet(d, terms));
      list.appendChild(li);
    });
  }

  var params = new URLSearchParams(window.location.search);
  var initial = params.get("q") || "";
  if (initial) input.value = initial;
  render(input.value);
  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { render(input.value); }, 120);
  });
  input.form.addEventListener("submit", function (event) {
    event.preventDefault();
    render(input.value);
  });
})();
