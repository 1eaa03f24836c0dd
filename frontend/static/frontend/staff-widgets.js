// The staff console's building blocks: elements, badges, progress bars, forms that report
// their errors, and tables kept current by polling.

import { api, showError } from "./api.js";

const LIST_REFRESH_MS = 2000;

export function el(tag, { text, className, ...attributes } = {}, children = []) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

export function badge(status) {
  return el("span", { className: "badge", "data-status": status, text: status });
}

export function progressBar(percent, label) {
  const bar = el("div", { className: "progress", role: "progressbar", "aria-label": label,
    "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": String(percent) }, [el("span")]);
  bar.firstElementChild.style.width = `${percent}%`;
  return bar;
}

export function jobLink(job) {
  return job ? el("a", { href: `/staff/jobs/${job.id}/`, text: `job #${job.id}` }) : "";
}

// A form whose submit calls `action(form)`; its [data-form-error] shows what went wrong.
export function onSubmit(form, action) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    const error = form.querySelector("[data-form-error]");
    button.disabled = true;
    showError(error, null);
    try {
      await action(form);
    } catch (failure) {
      showError(error, failure);
    } finally {
      button.disabled = false;
    }
  });
}

// A table kept current: GET `url` every two seconds and redraw its rows.
export function liveTable(section, url, toRow) {
  const rows = section.querySelector("[data-rows]");
  const error = section.querySelector("[data-list-error]");
  async function refresh() {
    try {
      const data = await api(url);
      showError(error, null);
      const items = data.results || data;
      rows.replaceChildren(
        ...(items.length ? items.map((item) => el("tr", {}, toRow(item).map((c) => (c instanceof Node && c.tagName === "TD" ? c : el("td", {}, [c])))))
          : [el("tr", {}, [el("td", { colspan: "9", className: "muted", text: "Nothing yet." })])]),
      );
    } catch (failure) {
      showError(error, failure);
    }
  }
  refresh();
  setInterval(refresh, LIST_REFRESH_MS);
  return refresh;
}

export function numberCell(value) {
  return el("td", { className: "num", text: String(value ?? "–") });
}

export function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}
