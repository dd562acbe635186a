// Progressive enhancement: charts are complete SVGs without JavaScript. When a chart
// scrolls into view, the vendored Vega bundle (no CDN) is loaded once and the chart
// is re-drawn interactively, with tooltips, laid out for the width of the column from the
// spec of the artboard that fits it (so its text keeps its size). Any failure leaves the
// static chart in place.
(function () {
  "use strict";
  var script = document.currentScript;
  var bundleUrl = script && script.getAttribute("data-vega-bundle");
  var figures = Array.prototype.slice.call(document.querySelectorAll("figure.chart"));
  if (!bundleUrl || !figures.length) return;
  var loading = null;
  // Each chart comes with a spec for a phone and one for a wider column (as its two static SVGs do);
  // below this column width (px, as in style.css) the phone's is drawn.
  var NARROW = 600;

  // The spec for a column ``width`` pixels wide: single and layered charts are drawn at that width;
  // composed ones (small multiples) keep the size they were designed at. A map keeps its shape (its
  // height grows with its width), or its region would be fitted inside a wider box, with sea at the sides.
  function fitted(spec, width) {
    if (spec.hconcat || spec.vconcat || spec.concat || spec.facet || spec.repeat) return spec;
    if (typeof spec.width !== "number" || !width) return spec;
    if (spec.projection && typeof spec.height === "number") spec.height = Math.round(spec.height * width / spec.width);
    spec.width = width;
    spec.autosize = { type: "fit-x", contains: "padding" };
    return spec;
  }

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
    var target = figure.querySelector(".chart__svg");
    if (!target) return;
    var width = Math.floor(target.clientWidth);
    var specTag = (width < NARROW && figure.querySelector("script.chart__spec--narrow"))
      || figure.querySelector("script.chart__spec");
    if (!specTag) return;
    loadBundle().then(function (vegaEmbed) {
      var spec = fitted(JSON.parse(specTag.textContent), width);
      var holder = document.createElement("div");
      // The page's Content-Security-Policy allows no eval and no inline style: Vega runs its expression
      // interpreter (ast), and the styles Vega would add as <style> elements are in style.css instead.
      var options = { renderer: "svg", actions: false, ast: true, defaultStyle: false,
                      tooltip: { disableDefaultStyle: true } };
      return vegaEmbed(holder, spec, options).then(function () {
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
