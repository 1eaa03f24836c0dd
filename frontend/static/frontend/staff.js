// The staff console's panels. Each binds to its own data-* markup, so one module serves
// every console page; actions go through the staff APIs and Jobs are followed live.

import { api, showError } from "./api.js";

const PRIORITIES = ["critical", "high", "normal", "low", "bulk"];

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function bindQueues(panel) {
  const rows = panel.querySelector("[data-queues-rows]");
  const error = panel.querySelector("[data-queues-error]");
  async function refresh() {
    try {
      const data = await api(panel.dataset.queuesUrl);
      showError(error, null);
      rows.replaceChildren(
        ...data.queues.map((queue) => {
          const tr = document.createElement("tr");
          const name = document.createElement("th");
          name.scope = "row";
          name.textContent = queue.queue;
          tr.append(name, ...PRIORITIES.map((p) => cell(queue.by_priority[p] ?? 0, "num")), cell(queue.total, "num"));
          return tr;
        }),
      );
      panel.querySelector("[data-queues-unacked]").textContent = data.unacked;
    } catch (failure) {
      showError(error, failure);
    }
    setTimeout(refresh, 2000);
  }
  refresh();
}

function bindDemo(form) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const job = await api("/api/jobs/demo/", { method: "POST", json: { explode: form.elements.explode.checked } });
      window.location.assign(`/staff/jobs/${job.id}/`);
    } catch (failure) {
      showError(form.querySelector("[data-form-error]"), failure);
      button.disabled = false;
    }
  });
}

document.querySelectorAll("[data-queues]").forEach(bindQueues);
document.querySelectorAll("form[data-demo-form]").forEach(bindDemo);
