// The cart lives in this browser's localStorage: the order API takes the lines at checkout,
// so the server keeps no cart state, and the shop's price at checkout is the one charged.

import { formatMoney } from "./api.js";

const KEY = "greengrocer.cart";

export function cartLines() {
  try {
    const lines = JSON.parse(localStorage.getItem(KEY) || "[]");
    return Array.isArray(lines) ? lines : [];
  } catch {
    return [];
  }
}

function save(lines) {
  localStorage.setItem(KEY, JSON.stringify(lines));
  showCount();
}

export function cartAdd(product, quantity) {
  const lines = cartLines();
  const line = lines.find((l) => l.id === product.id);
  if (line) line.quantity += quantity;
  else lines.push({ ...product, quantity });
  save(lines);
}

export function cartSetQuantity(productId, quantity) {
  save(cartLines().map((l) => (l.id === productId ? { ...l, quantity } : l)).filter((l) => l.quantity > 0));
}

export function cartClear() {
  save([]);
}

// Summed in whole cents (integers are exact in JS), as the shop sums money; euros at the end.
export function cartTotal(lines = cartLines()) {
  return lines.reduce((cents, l) => cents + Math.round(Number(l.price) * 100) * l.quantity, 0) / 100;
}

function showCount() {
  const count = cartLines().reduce((sum, l) => sum + l.quantity, 0);
  document.querySelectorAll("[data-cart-count]").forEach((el) => {
    el.textContent = count;
  });
}

function bindAddButtons() {
  document.querySelectorAll("form[data-add-to-cart]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const product = JSON.parse(form.dataset.addToCart);
      const quantityInput = form.querySelector("input[name=quantity]");
      const quantity = quantityInput ? Math.max(1, parseInt(quantityInput.value, 10) || 1) : 1;
      cartAdd(product, quantity);
      const status = form.querySelector("[data-added]");
      if (status) status.textContent = `Added ${quantity} × ${product.name} to your cart.`;
    });
  });
}

function picture(line) {
  if (line.thumbnail) {
    const img = document.createElement("img");
    img.src = line.thumbnail;
    img.alt = "";
    return img;
  }
  const box = document.createElement("div");
  box.className = "placeholder-picture";
  box.setAttribute("aria-hidden", "true");
  return box;
}

export function renderCart(container) {
  const lines = cartLines();
  const list = container.querySelector("[data-cart-lines]");
  const empty = container.querySelector("[data-cart-empty]");
  const filled = container.querySelector("[data-cart-filled]");
  empty.hidden = lines.length > 0;
  filled.hidden = lines.length === 0;
  list.replaceChildren(
    ...lines.map((line) => {
      const row = document.createElement("li");
      row.className = "cart-line";
      const name = document.createElement("div");
      const link = document.createElement("a");
      link.href = line.url;
      link.textContent = line.name;
      const each = document.createElement("div");
      each.className = "muted small";
      each.textContent = `${formatMoney(line.price, line.currency)} each`;
      name.append(link, each);

      const qty = document.createElement("div");
      qty.className = "qty";
      const inputId = `qty-${line.id}`;
      qty.innerHTML = `<label class="visually-hidden" for="${inputId}"></label><input type="number" min="0" max="99" id="${inputId}">`;
      qty.querySelector("label").textContent = `Quantity of ${line.name}`;
      const input = qty.querySelector("input");
      input.value = line.quantity;
      input.addEventListener("change", () => {
        cartSetQuantity(line.id, Math.max(0, parseInt(input.value, 10) || 0));
        renderCart(container);
      });

      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "button danger small remove";
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", `Remove ${line.name}`);
      remove.addEventListener("click", () => {
        cartSetQuantity(line.id, 0);
        renderCart(container);
      });
      row.append(picture(line), name, qty, remove);
      return row;
    }),
  );
  const currency = lines[0] ? lines[0].currency : "EUR";
  container.querySelectorAll("[data-cart-total]").forEach((el) => {
    el.textContent = formatMoney(cartTotal(lines), currency);
  });
}

showCount();
bindAddButtons();
const cartPage = document.querySelector("[data-cart]");
if (cartPage) renderCart(cartPage);
window.addEventListener("storage", showCount);
