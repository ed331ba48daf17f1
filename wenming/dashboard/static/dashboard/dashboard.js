/* Draws each dashboard panel's chart with ECharts from its data block ([data-chart] names the
   id of a <script type="application/json"> written by json_script). The numbers are also in
   the table under every chart: the chart is an aid, never the only place to read them.
   Plain script, loaded from 'self' after the vendored echarts.min.js. Animation is off for
   automated browsers and for people who ask for reduced motion (and for screenshots). */
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  var still = navigator.webdriver || (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  var palette = ["#b3261e", "#1f6feb", "#1b7f3b", "#b45309", "#6e40c9", "#4b5563"];
  var charts = [];

  function base() {
    return {animation: !still, color: palette, tooltip: {trigger: "axis", confine: true},
            grid: {left: 8, right: 16, top: 36, bottom: 8, containLabel: true},
            legend: {top: 0, type: "scroll"}};
  }

  function bars(data, stacked) {
    var option = base();
    option.xAxis = {type: "category", data: data.categories, axisLabel: {interval: "auto", hideOverlap: true}};
    option.yAxis = {type: "value"};
    option.series = data.series.map(function (s) {
      var item = {name: s.name, type: "bar", data: s.data};
      if (stacked) item.stack = "total";
      return item;
    });
    if (data.target !== undefined && option.series.length) {
      option.series[0].markLine = {silent: true, symbol: "none", data: [{yAxis: data.target, name: "目标"}],
                                   label: {formatter: "目标 " + data.target + "%"}};
    }
    if (data.categories.length > 8) {
      option.dataZoom = [{type: "inside"}];
    }
    return option;
  }

  function pie(data) {
    var option = base();
    option.tooltip = {trigger: "item", confine: true};
    option.series = [{type: "pie", radius: ["45%", "70%"], top: 24, label: {formatter: "{c} 天"},
                      data: data.categories.map(function (name, i) { return {name: name, value: data.series[0].data[i]}; })}];
    if (data.current) option.title = {text: data.current, left: "center", top: "middle", textStyle: {fontSize: 14}};
    return option;
  }

  function heatmap(data) {
    var option = base();
    var values = data.series[0].data.map(function (d) { return d[2]; });
    option.tooltip = {trigger: "item", confine: true};
    option.legend = {show: false};
    option.grid.top = 8;
    option.grid.bottom = 40;
    option.xAxis = {type: "category", data: data.categories, axisLabel: {rotate: 30}};
    option.yAxis = {type: "category", data: data.y};
    option.visualMap = {min: values.length ? Math.min.apply(null, values) : 0,
                        max: values.length ? Math.max.apply(null, values) : 100,
                        calculable: false, orient: "horizontal", left: "center", bottom: 0, itemHeight: 80,
                        inRange: {color: ["#fde2e1", "#b3261e"]}};
    option.series = [{type: "heatmap", data: data.series[0].data, label: {show: true}},
                     {type: "scatter", symbol: "rect", symbolSize: 10, data: data.flagged || [], name: "去掉的分数",
                      itemStyle: {color: "#1f2328"}}];
    return option;
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), function (el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var option = data.chart === "pie" ? pie(data) : data.chart === "heatmap" ? heatmap(data)
      : bars(data, data.chart === "stacked");
    if (data.chart === "heatmap" && data.y) {
      el.style.height = Math.max(260, 22 * data.y.length + 90) + "px";  // a row per candidate
    }
    var chart = echarts.init(el, null, {renderer: "canvas"});
    chart.setOption(option);
    charts.push(chart);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
