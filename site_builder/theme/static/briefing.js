// Progressive enhancement: charts are complete SVGs without JavaScript. When a chart
// scrolls into view, the vendored Vega bundle (no CDN) is loaded once and the chart
// is re-drawn interactively, with tooltips, laid out for the width of the column (so its
// text keeps its size on a phone instead of shrinking with a scaled SVG). Any failure
// leaves the static chart in place.
(function () {
  "use strict";
  var script = document.currentScript;
  var bundleUrl = script && script.getAttribute("data-vega-bundle");
  var figures = Array.prototype.slice.call(document.querySelectorAll("figure.chart"));
  if (!bundleUrl || !figures.length) return;
  var loading = null;
  // Below this width (px) legends stack and axes thin out their labels. Legend labels are limited
  // to 260px by the chart specs, so two legend columns always fit above it.
  var NARROW = 600;

  function eachEncoding(spec, visit) {
    if (spec.encoding) visit(spec.encoding);
    (spec.layer || []).forEach(function (layer) { eachEncoding(layer, visit); });
  }

  function withAxis(channel, extra) {
    channel.axis = Object.assign({}, channel.axis, extra);
  }

  // A single or layered chart re-laid out at ``width`` pixels; composed charts keep their size.
  function fitted(spec, width) {
    if (spec.hconcat || spec.vconcat || spec.concat || spec.facet || spec.repeat) return spec;
    if (typeof spec.width !== "number" || !width) return spec;
    var narrow = width < NARROW;
    spec.width = width;
    spec.autosize = { type: "fit-x", contains: "padding" };
    eachEncoding(spec, function (encoding) {
      Object.keys(encoding).forEach(function (channel) {
        var legend = encoding[channel] && encoding[channel].legend;
        if (legend) Object.assign(legend, narrow ? { direction: "vertical" } : { columns: 2 });
      });
      var x = encoding.x;
      if (!x || !narrow || x.axis === null) return;
      if (x.type === "nominal" || x.type === "ordinal") {
        withAxis(x, { labelAngle: -35, labelAlign: "right", labelBaseline: "top" });
      } else {
        withAxis(x, { tickCount: Math.max(2, Math.floor(width / 70)), labelOverlap: true });
      }
    });
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
    var specTag = figure.querySelector("script.chart__spec");
    var target = figure.querySelector(".chart__svg");
    if (!specTag || !target) return;
    loadBundle().then(function (vegaEmbed) {
      var spec = fitted(JSON.parse(specTag.textContent), Math.floor(target.clientWidth));
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
