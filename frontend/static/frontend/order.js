// The order page: the order's summary is redrawn by the server as its workflow moves on
// (status, failure reason, invoice link), and the cancel button calls the orders API.

import { api, showError } from "./api.js";

const summary = () => document.querySelector("[data-order-summary]");
let lastSeen = "";

async function refreshSummary() {
  const response = await fetch(`${window.location.pathname}?part=summary`, { credentials: "same-origin" });
  if (!response.ok) return;
  const holder = document.createElement("div");
  holder.innerHTML = await response.text();
  summary().replaceWith(holder.firstElementChild);
}

// The workflow finishes a moment before its compensation (on failure) has been recorded.
async function refreshUntilFinal(attempts = 15) {
  await refreshSummary();
  if (summary().dataset.final !== "true" && attempts > 1) {
    setTimeout(() => refreshUntilFinal(attempts - 1), 1000);
  }
}

document.addEventListener("job:update", (event) => {
  const job = event.detail;
  const seen = `${job.status}:${job.progress_done}`;
  if (seen !== lastSeen) {
    lastSeen = seen;
    refreshSummary();
  }
});
document.addEventListener("job:finished", () => refreshUntilFinal());

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-cancel-order]");
  if (!button) return;
  button.disabled = true;
  try {
    await api(`/api/orders/${summary().dataset.orderId}/cancel/`, { method: "POST" });
    await refreshUntilFinal();
  } catch (error) {
    showError(summary().querySelector("[data-order-error]"), error);
    button.disabled = false;
  }
});
