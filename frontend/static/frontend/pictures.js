// Pictures still being rendered: the page shows a placeholder ([data-picture-pending]) and
// this swaps each one for the product's picture once its renditions are ready, without a
// reload. One request for every pending product on the page, GET /api/products/?ids=…,
// every 2 s at first and less often as time goes on; it stops when none is pending.

import { api } from "./api.js";

const FIRST_POLL_MS = 2000;
const LONGEST_POLL_MS = 15000;
const GIVE_UP_AFTER_MS = 10 * 60 * 1000;

function pictureOf(product, size) {
  for (const image of product.images) {
    if (image.status !== "ready") continue; // staff also see images still in progress
    const renditions = image.renditions.filter((r) => r.size === size);
    const webp = renditions.find((r) => r.format === "webp");
    const jpeg = renditions.find((r) => r.format === "jpeg");
    const fallback = jpeg || webp;
    if (!fallback) continue;
    const picture = document.createElement("picture");
    if (webp) {
      const source = document.createElement("source");
      source.type = "image/webp";
      source.srcset = webp.url;
      picture.append(source);
    }
    const img = document.createElement("img");
    Object.assign(img, { src: fallback.url, alt: product.name, width: fallback.width, height: fallback.height });
    img.decoding = "async";
    picture.append(img);
    return picture;
  }
  return null;
}

function settle(placeholder, product) {
  const picture = pictureOf(product, placeholder.dataset.size);
  if (picture) {
    placeholder.replaceWith(picture);
  } else if (!product.pictures_pending) {
    // Rendering ended without a picture (it failed): an ordinary placeholder stays.
    delete placeholder.dataset.picturePending;
    placeholder.querySelector(".picture-note")?.remove();
    placeholder.setAttribute("aria-label", `${product.name}: no picture yet`);
  }
}

function pendingByProduct() {
  const pending = new Map();
  document.querySelectorAll("[data-picture-pending]").forEach((placeholder) => {
    const id = placeholder.dataset.productId;
    pending.set(id, [...(pending.get(id) || []), placeholder]);
  });
  return pending;
}

async function poll(wait, started) {
  const pending = pendingByProduct();
  if (!pending.size || Date.now() - started > GIVE_UP_AFTER_MS) return;
  try {
    const ids = [...pending.keys()];
    const page = await api(`/api/products/?ids=${ids.join(",")}&page_size=${ids.length}`);
    for (const product of page.results) {
      (pending.get(String(product.id)) || []).forEach((placeholder) => settle(placeholder, product));
    }
  } catch {
    // A failed poll (network, server busy) is retried at the next interval.
  }
  setTimeout(() => poll(Math.min(wait * 1.5, LONGEST_POLL_MS), started), wait);
}

if (document.querySelector("[data-picture-pending]")) {
  setTimeout(() => poll(FIRST_POLL_MS, Date.now()), FIRST_POLL_MS);
}
