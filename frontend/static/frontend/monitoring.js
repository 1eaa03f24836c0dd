// The staff console's monitoring page: line charts drawn as plain SVG from the shop's own
// /staff/monitoring/data/ (which asks Prometheus on the server), and the active alerts.

const REFRESH_MS = 15000;
const WIDTH = 560;
const HEIGHT = 220;
const PAD = { left: 48, right: 12, top: 12, bottom: 28 };
const COLOURS = ["#2f7d32", "#1565c0", "#c62828", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037", "#ad1457", "#9e9d24", "#455a64"];
const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function formatValue(value) {
  if (Number.isInteger(value)) return String(value); // counts: "9", not "9.0"
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 1) return value.toFixed(1);
  return value.toPrecision(2);
}

function formatTime(seconds) {
  return new Date(seconds * 1000).toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
}

function drawChart(figure, chart) {
  figure.querySelectorAll("svg, .chart-legend, .chart-empty").forEach((node) => node.remove());
  const points = chart.series.flatMap((series) => series.points);
  if (!points.length) {
    const empty = document.createElement("p");
    empty.className = "muted small chart-empty";
    empty.textContent = "Nothing to draw: every series stayed at zero in the last hour.";
    figure.append(empty);
    return;
  }
  const times = points.map(([t]) => t);
  const values = points.map(([, v]) => v);
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  const top = Math.max(...values) || 1;
  const x = (t) => PAD.left + ((t - t0) / (t1 - t0 || 1)) * (WIDTH - PAD.left - PAD.right);
  const y = (v) => HEIGHT - PAD.bottom - (v / top) * (HEIGHT - PAD.top - PAD.bottom);

  const graphic = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": `${chart.title} (${chart.unit})` });
  graphic.append(
    svg("line", { x1: PAD.left, y1: y(0), x2: WIDTH - PAD.right, y2: y(0), class: "axis" }),
    svg("line", { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: y(0), class: "axis" }),
    svg("text", { x: PAD.left - 6, y: PAD.top + 4, "text-anchor": "end", class: "tick" }, formatValue(top)),
    svg("text", { x: PAD.left - 6, y: y(0), "text-anchor": "end", class: "tick" }, "0"),
    svg("text", { x: PAD.left, y: HEIGHT - 8, class: "tick" }, formatTime(t0)),
    svg("text", { x: WIDTH - PAD.right, y: HEIGHT - 8, "text-anchor": "end", class: "tick" }, formatTime(t1)),
    svg("text", { x: WIDTH / 2, y: HEIGHT - 8, "text-anchor": "middle", class: "tick" }, chart.unit),
  );
  const legend = document.createElement("ul");
  legend.className = "chart-legend";
  chart.series.forEach((series, index) => {
    const colour = COLOURS[index % COLOURS.length];
    const line = svg("polyline", {
      points: series.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" "),
      stroke: colour, fill: "none", "stroke-width": 2, "data-series": series.label,
    });
    line.append(svg("title", {}, series.label));
    graphic.append(line);
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = colour;
    const latest = series.points[series.points.length - 1][1];
    item.append(swatch, `${series.label}: ${formatValue(latest)}`);
    legend.append(item);
  });
  figure.append(graphic, legend);
}

function drawAlerts(list, alerts) {
  list.replaceChildren();
  if (!alerts.length) {
    const quiet = document.createElement("li");
    quiet.className = "muted";
    quiet.textContent = "No alert is firing.";
    list.append(quiet);
    return;
  }
  for (const alert of alerts) {
    const item = document.createElement("li");
    item.dataset.state = alert.state;
    const name = document.createElement("strong");
    name.textContent = alert.name;
    const since = alert.since ? ` since ${new Date(alert.since).toLocaleTimeString()}` : "";
    // "(page, firing since 5:44 PM)": the severity first, so it does not read as "page since".
    item.append(name, ` (${alert.severity ? `${alert.severity}, ` : ""}${alert.state}${since}): ${alert.summary}`);
    list.append(item);
  }
}

async function refresh(root) {
  const status = root.querySelector("[data-charts-status]");
  let body;
  try {
    const response = await fetch(root.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    body = await response.json();
    if (!response.ok) throw new Error(body?.error?.message || `HTTP ${response.status}`);
  } catch (error) {
    root.dataset.state = "unavailable";
    status.textContent = error.message.startsWith("The charts") ? error.message : "The charts are unavailable: Prometheus does not answer.";
    return;
  }
  root.dataset.state = "ready";
  status.textContent = `Updated ${new Date().toLocaleTimeString()}.`;
  for (const chart of body.charts) {
    const figure = root.querySelector(`[data-chart="${chart.name}"]`);
    if (figure) drawChart(figure, chart);
  }
  drawAlerts(root.querySelector("[data-alerts]"), body.alerts);
}

const root = document.querySelector("[data-monitoring]");
if (root) {
  refresh(root);
  setInterval(() => refresh(root), REFRESH_MS);
}
