// Calls to the shop's REST API with the session cookie and the CSRF token, and one error
// shape: every failure becomes an ApiError whose `message` is fit to show to a person.

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

function cookie(name) {
  const match = document.cookie.match(new RegExp(`(?:^|; )${name}=([^;]*)`));
  return match ? decodeURIComponent(match[1]) : "";
}

const FALLBACK_MESSAGES = {
  400: "The request was not accepted. Check the form and try again.",
  401: "Please log in again.",
  403: "You are not allowed to do that.",
  404: "That no longer exists.",
  409: "That conflicts with what changed in the meantime.",
  413: "That file is too large.",
  415: "That type of file is not supported.",
  429: "Too many requests at once. Wait a moment and try again.",
  503: "A service the shop needs is unavailable. Try again in a minute.",
};

export async function api(url, { method = "GET", json, body, headers = {} } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers }, credentials: "same-origin" };
  if (method !== "GET") init.headers["X-CSRFToken"] = cookie("csrftoken");
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (body !== undefined) {
    init.body = body;
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new ApiError(0, "network", "The shop cannot be reached. Check your connection and try again.");
  }
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json().catch(() => null) : null;
  if (!response.ok) {
    const error = data && data.error ? data.error : {};
    const message = error.message || FALLBACK_MESSAGES[response.status] || `Something went wrong (${response.status}).`;
    throw new ApiError(response.status, error.code || "error", message, error.details);
  }
  return data;
}

// Show an error (or clear it) in an element with role="alert".
export function showError(element, error) {
  element.textContent = error ? error.message : "";
}

export function formatMoney(amount, currency = "EUR") {
  return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(Number(amount));
}
