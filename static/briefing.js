// Progressive enhancement: charts are complete SVGs without JavaScript. When a chart
// scrolls into view, the vendored Vega bundle (no CDN) is loaded once and the chart
// is re-drawn interactively, with tooltips. Any failure leaves the static chart in place.
(function () {
  "use strict";
  var script = document.currentScript;
  var bundleUrl = script && script.getAttribute("data-vega-bundle");
  var figures = Array.prototype.slice.call(document.querySelectorAll("figure.chart"));
  if (!bundleUrl || !figures.length) return;
  var loading = null;

  function loadBundle() {
    if (window.vegaEmbed) return Promise.resolve(window.vegaEmbed);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = bundleUrl;
        tag.onload = function () { resolve(window.vegaEmbed); };
        tag.onerror = reject;
        document.head.appendChild(tag);
      });
    }
    return loading;
  }

  function enhance(figure) {
    if (figure.getAttribute("data-interactive")) return;
    figure.setAttribute("data-interactive", "loading");
    var specTag = figure.querySelector("script.chart__spec");
    var target = figure.querySelector(".chart__svg");
    if (!specTag || !target) return;
    loadBundle().then(function (vegaEmbed) {
      var spec = JSON.parse(specTag.textContent);
      var holder = document.createElement("div");
      return vegaEmbed(holder, spec, { renderer: "svg", actions: false }).then(function () {
        target.replaceChildren(holder);
        figure.setAttribute("data-interactive", "ready");
      });
    }).catch(function () {
      figure.setAttribute("data-interactive", "failed");
    });
  }

  if (!("IntersectionObserver" in window)) return;
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) {
        observer.unobserve(entry.target);
        enhance(entry.target);
      }
    });
  }, { rootMargin: "200px" });
  figures.forEach(function (figure) { observer.observe(figure); });
})();
