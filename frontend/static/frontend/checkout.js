// Checkout: sends the cart's lines to POST /api/orders/ with an Idempotency-Key, so a
// retried request (a double click, a dropped connection) never places a second order.

import { api, showError } from "./api.js";
import { cartClear, cartLines } from "./cart.js";

const form = document.querySelector("form[data-checkout-form]");
const errorBox = form.querySelector("[data-form-error]");
// Kept until the shop has answered, so a retry after a network error reuses it.
let idempotencyKey = null;

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const cardNumber = form.elements.card_number.value.replace(/\s+/g, "");
  if (!cardNumber) {
    showError(errorBox, { message: "Enter a card number: one of the test cards listed on this page." });
    form.elements.card_number.focus();
    return;
  }
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  showError(errorBox, null);
  idempotencyKey = idempotencyKey || crypto.randomUUID();
  try {
    const order = await api("/api/orders/", {
      method: "POST",
      headers: { "Idempotency-Key": idempotencyKey },
      json: {
        lines: cartLines().map((line) => ({ product: line.id, quantity: line.quantity })),
        express: form.elements.express.checked,
        card_number: cardNumber,
      },
    });
    cartClear();
    window.location.assign(`/orders/${order.id}/`);
  } catch (error) {
    if (error.status !== 0) idempotencyKey = null;
    showError(errorBox, error);
    errorBox.scrollIntoView({ block: "nearest" });
    button.disabled = false;
  }
});
