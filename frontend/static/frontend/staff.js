// The staff console's panels. Each binds to its own data-* markup, so one module serves
// every console page; actions go through the staff APIs and Jobs are followed live.

import { api, showError } from "./api.js";
import { showJob } from "./job.js";
import { badge, cell, el, jobLink, liveTable, numberCell, onSubmit, progressBar } from "./staff-widgets.js";

const PRIORITIES = ["critical", "high", "normal", "low", "bulk"];

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

function bindImages(form) {
  const renditions = document.querySelector("[data-renditions]");
  const holder = document.querySelector("[data-job-holder]");
  let shown = null;

  async function showRenditions() {
    const product = await api(`/api/products/${shown.product}/`);
    const image = product.images.find((i) => i.id === shown.image);
    if (!image) return;
    renditions.replaceChildren(
      ...image.renditions.map((r) => el("li", {}, [el("figure", {}, [
        el("img", { src: r.url, alt: `${r.size} ${r.format}`, width: String(r.width), height: String(r.height) }),
        el("figcaption", { text: `${r.size} · ${r.format} · ${r.width}×${r.height}` }),
      ])])),
    );
  }

  onSubmit(form, async () => {
    const file = form.elements.image.files[0];
    if (!file) throw new Error("Choose a picture to upload.");
    const body = new FormData();
    body.append("image", file);
    const product = form.elements.product.value;
    const image = await api(`/api/products/${product}/images/`, { method: "POST", body });
    shown = { product: Number(product), image: image.id };
    renditions.replaceChildren();
    await showJob(holder, image.job.id, "Processing the image");
  });
  document.addEventListener("job:update", () => shown && showRenditions());
}

function bindReports(form) {
  const holder = document.querySelector("[data-job-holder]");
  const refresh = liveTable(document.querySelector("[data-report-list]"), "/api/reports/", (report) => [
    el("span", {}, [`#${report.id} ${report.kind} `, jobLink(report.job)]),
    `${report.period_start} – ${report.period_end}`,
    badge(report.status),
    progressBar(report.progress, `Report #${report.id} progress`),
    report.pdf_url ? el("a", { href: report.pdf_url, download: "", text: "Download PDF" }) : report.error || "",
  ]);
  onSubmit(form, async () => {
    const json = { kind: form.elements.kind.value };
    if (form.elements.period_start.value) json.period_start = form.elements.period_start.value;
    if (form.elements.period_end.value) json.period_end = form.elements.period_end.value;
    const report = await api("/api/reports/", { method: "POST", json });
    refresh();
    await showJob(holder, report.job.id, `Report #${report.id}`);
  });
}

function bindCampaigns(form) {
  const holder = document.querySelector("[data-job-holder]");
  const list = document.querySelector("[data-campaign-list]");
  const refresh = liveTable(list, "/api/campaigns/", (campaign) => {
    const done = campaign.sent_count + campaign.failed_count + campaign.skipped_count;
    const percent = campaign.recipients_total ? Math.round((100 * done) / campaign.recipients_total) : 0;
    const send = campaign.status === "draft"
      ? el("button", { type: "button", className: "button small", "data-send": String(campaign.id), text: "Send", "aria-label": `Send ${campaign.name}` })
      : jobLink(campaign.job);
    return [
      el("span", {}, [el("strong", { text: campaign.name }), el("br"), el("span", { className: "muted small", text: campaign.subject })]),
      badge(campaign.status),
      el("span", {}, [progressBar(percent, `${campaign.name} progress`), el("span", { className: "small muted", text: `${done} of ${campaign.recipients_total}` })]),
      numberCell(campaign.sent_count), numberCell(campaign.failed_count), numberCell(campaign.skipped_count),
      send,
    ];
  });
  list.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-send]");
    if (!button) return;
    button.disabled = true;
    try {
      const campaign = await api(`/api/campaigns/${button.dataset.send}/send/`, { method: "POST" });
      refresh();
      await showJob(holder, campaign.job.id, `Sending “${campaign.name}”`);
    } catch (failure) {
      showError(list.querySelector("[data-list-error]"), failure);
      button.disabled = false;
    }
  });
  onSubmit(form, async () => {
    const json = Object.fromEntries(["name", "subject", "body_text", "audience"].map((n) => [n, form.elements[n].value]));
    if (form.elements.recent_days.value) json.recent_days = Number(form.elements.recent_days.value);
    await api("/api/campaigns/", { method: "POST", json });
    form.reset();
    refresh();
  });
}

function bindSync(button) {
  const holder = document.querySelector("[data-job-holder]");
  const refresh = liveTable(document.querySelector("[data-sync-list]"), "/api/sync-runs/", (run) => [
    el("span", {}, [`#${run.id} (${run.trigger}) `, jobLink(run.job)]),
    badge(run.status),
    `${run.pages_done} of ${run.pages_total ?? "?"}${run.pages_failed ? `, ${run.pages_failed} failed` : ""}`,
    numberCell(run.products_created), numberCell(run.products_updated),
    numberCell(run.products_unchanged), numberCell(run.products_deactivated),
    `${run.pictures_fetched} fetched, ${run.pictures_unchanged} unchanged, ${run.pictures_failed} failed` +
      (run.pictures_removed ? `, ${run.pictures_removed} removed` : ""),
    numberCell(run.duration_seconds),
  ]);
  button.addEventListener("click", async () => {
    const error = button.parentElement.querySelector("[data-form-error]");
    button.disabled = true;
    showError(error, null);
    try {
      const run = await api("/api/sync-runs/", { method: "POST" });
      refresh();
      await showJob(holder, run.job.id, `Sync run #${run.id}`);
    } catch (failure) {
      showError(error, failure);
    } finally {
      button.disabled = false;
    }
  });
}

function bindFaults(form) {
  const state = form.querySelector("[data-faults-state]");
  const error = form.querySelector("[data-faults-error]");
  function show(data) {
    for (const [name, value] of Object.entries(data.switches)) {
      const input = form.elements[name];
      if (input) input.value = Array.isArray(value) ? value.join(", ") : value;
    }
    const counts = Object.entries(data.counters).map(([k, v]) => `${k} ${v}`).join(", ");
    state.textContent = `Catalog version ${data.version}. Answers so far: ${counts}.`;
  }
  async function send(json) {
    showError(error, null);
    try {
      show(await api("/api/supplier/faults/", { method: json ? "POST" : "GET", json }));
    } catch (failure) {
      showError(error, failure);
    }
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const json = {};
    for (const input of form.querySelectorAll("input")) {
      if (input.value === "") continue;
      json[input.name] = input.name === "malformed_pages"
        ? input.value.split(",").map((n) => n.trim()).filter(Boolean).map(Number)
        : Number(input.value);
    }
    send(json);
  });
  form.querySelector("[data-faults-reset]").addEventListener("click", () => send({ reset: true }));
  form.querySelector("[data-faults-advance]").addEventListener("click", () => send({ advance_version: 1 }));
  send();
}

function bindMailbox(panel) {
  const list = panel.querySelector("[data-mail-list]");
  const error = panel.querySelector("[data-list-error]");
  function open(message, button) {
    list.querySelectorAll("[aria-current]").forEach((b) => b.removeAttribute("aria-current"));
    button.setAttribute("aria-current", "true");
    panel.querySelector("[data-mail-subject]").textContent = message.headers.Subject || "(no subject)";
    panel.querySelector("[data-mail-headers]").replaceChildren(
      ...["From", "To", "Date"].flatMap((name) => [el("dt", { text: name }), el("dd", { text: message.headers[name] || "" })]),
    );
    panel.querySelector("[data-mail-attachments]").replaceChildren(
      ...message.attachments.map((a) => el("li", {}, [el("a", { href: a.url, text: `${a.filename} (${Math.ceil(a.size / 1024)} KB)` })])),
    );
    const body = panel.querySelector("[data-mail-body]");
    body.hidden = false;
    body.textContent = message.text || "(HTML only)";
  }
  async function refresh() {
    try {
      const data = await api("/api/mailbox/?page_size=50");
      showError(error, null);
      list.replaceChildren(
        ...(data.results.length ? data.results.map((message) => {
          const button = el("button", { type: "button" }, [
            el("strong", { text: message.headers.Subject || "(no subject)" }), el("br"),
            el("span", { className: "small muted", text: `to ${message.envelope_to.join(", ")} · ${new Date(message.received_at).toLocaleString()}` }),
          ]);
          button.addEventListener("click", () => open(message, button));
          return el("li", {}, [button]);
        }) : [el("li", { className: "muted", text: "No mail yet." })]),
      );
    } catch (failure) {
      showError(error, failure);
    }
  }
  panel.querySelector("[data-mail-refresh]").addEventListener("click", refresh);
  refresh();
}

document.querySelectorAll("[data-queues]").forEach(bindQueues);
document.querySelectorAll("form[data-image-form]").forEach(bindImages);
document.querySelectorAll("form[data-report-form]").forEach(bindReports);
document.querySelectorAll("form[data-campaign-form]").forEach(bindCampaigns);
document.querySelectorAll("[data-sync-run]").forEach(bindSync);
document.querySelectorAll("form[data-faults-form]").forEach(bindFaults);
document.querySelectorAll("[data-mailbox]").forEach(bindMailbox);
document.querySelectorAll("form[data-demo-form]").forEach(bindDemo);
