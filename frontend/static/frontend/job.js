// Follows a Job live: polls /api/jobs/{id}/ about once a second until it has finished,
// re-colours the workflow diagram's steps, updates the timeline, and tells the page with
// "job:update" and "job:finished" events (detail = the job's JSON).

import { api } from "./api.js";

const STATE_LABELS = {
  PENDING: "waiting", STARTED: "running", RETRY: "retrying",
  SUCCESS: "done", FAILURE: "failed", REVOKED: "revoked",
};
const POLL_MS = 1000;

function render(section, job) {
  const status = section.querySelector("[data-job-status]");
  status.dataset.status = job.status;
  status.textContent = job.status;
  const bar = section.querySelector("[data-job-progress]");
  bar.setAttribute("aria-valuenow", job.percent);
  bar.firstElementChild.style.width = `${job.percent}%`;
  section.querySelector("[data-job-done]").textContent = job.progress_done;
  section.querySelector("[data-job-total]").textContent = job.progress_total;
  section.querySelector("[data-job-error]").textContent = job.error || "";
  const states = new Map(job.steps.map((step) => [step.task_id, step.state]));
  section.querySelectorAll("[data-handler-ids]").forEach((node) => {
    const ran = node.dataset.handlerIds.split(" ").map((id) => states.get(id)).find((s) => s && s !== "PENDING");
    node.dataset.state = ran || "PENDING";
  });
  for (const step of job.steps) {
    section.querySelectorAll(`[data-task-id="${step.task_id}"]`).forEach((el) => {
      el.dataset.state = step.state;
    });
    const row = section.querySelector(`li[data-task-id="${step.task_id}"]`);
    if (!row) continue;
    // An errback is listed once it runs: until then it is only a possibility.
    if (row.dataset.role === "on_error") row.hidden = step.state === "PENDING";
    row.querySelector("[data-step-state]").textContent =
      job.is_finished && step.state === "PENDING" ? "not run" : STATE_LABELS[step.state] || step.state.toLowerCase();
    row.querySelector("[data-step-retries]").textContent =
      step.retries ? `${step.retries} ${step.retries === 1 ? "retry" : "retries"}` : "";
    row.querySelector("[data-step-error]").textContent = step.error || "";
  }
}

// A workflow may grow while it runs (a first step adds a chord it could only size then):
// the server draws the new shape, so fetch the panel again rather than draw it here.
async function redraw(section) {
  const response = await fetch(section.dataset.panelUrl, { credentials: "same-origin" });
  if (!response.ok) return section;
  const holder = document.createElement("div");
  holder.innerHTML = await response.text();
  const fresh = holder.querySelector("section[data-job]");
  fresh.dataset.following = "true";
  section.replaceWith(fresh);
  return fresh;
}

export function followJob(section) {
  const url = section.dataset.jobUrl;
  let failures = 0;
  async function poll() {
    try {
      const job = await api(url);
      failures = 0;
      if (job.steps.length !== section.querySelectorAll("li[data-task-id]").length) {
        section = await redraw(section);
      }
      render(section, job);
      section.dispatchEvent(new CustomEvent("job:update", { detail: job, bubbles: true }));
      if (job.is_finished) {
        section.dataset.finished = "true";
        section.dispatchEvent(new CustomEvent("job:finished", { detail: job, bubbles: true }));
        return;
      }
    } catch (error) {
      failures += 1;
      section.querySelector("[data-job-error]").textContent =
        `Live updates paused: ${error.message} Retrying…`;
    }
    setTimeout(poll, POLL_MS * Math.min(2 ** failures, 10));
  }
  poll();
}

// Put a Job's panel into `container` and follow it (for Jobs a page has just started).
export async function showJob(container, jobId, title) {
  const response = await fetch(`/jobs/${jobId}/panel/?title=${encodeURIComponent(title)}`, { credentials: "same-origin" });
  container.innerHTML = await response.text();
  const section = container.querySelector("section[data-job]");
  section.dataset.following = "true";
  followJob(section);
  return section;
}

document.querySelectorAll("section[data-job]").forEach((section) => {
  if (!section.dataset.following) {
    section.dataset.following = "true";
    followJob(section);
  }
});
