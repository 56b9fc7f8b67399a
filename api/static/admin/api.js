// Talking to /api/admin with the bearer token kept in sessionStorage (gone when the tab closes).

const KEY = "genie-admin-token";
let onSignedOut = () => {};

export class ApiError extends Error {
  constructor(status, detail) {
    super(typeof detail === "string" ? detail : `Request failed (${status})`);
    this.status = status;
    this.detail = detail;
  }

  // {field: message} from a FastAPI 422 body.
  fieldErrors() {
    const errors = {};
    if (Array.isArray(this.detail)) {
      for (const item of this.detail) {
        const field = item.loc ? item.loc[item.loc.length - 1] : "form";
        errors[field] = item.msg.replace(/^Value error, /, "");
      }
    }
    return errors;
  }
}

export function token() {
  return sessionStorage.getItem(KEY);
}

export function setToken(value) {
  sessionStorage.setItem(KEY, value);
}

export function signOut() {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem("genie-admin-name");
  onSignedOut();
}

export function whenSignedOut(callback) {
  onSignedOut = callback;
}

async function request(path, { method = "GET", body, params } = {}) {
  const url = new URL(`/api/admin${path}`, location.origin);
  for (const [name, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  const headers = { Authorization: `Bearer ${token() || ""}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    signOut();
    throw new ApiError(401, "Your session ended: sign in again.");
  }
  if (!response.ok) {
    let detail = `Request failed (${response.status})`;
    try {
      detail = (await response.json()).detail ?? detail;
    } catch (_) { /* not JSON */ }
    if (response.status === 429) detail = "Too many requests: wait a moment and try again.";
    throw new ApiError(response.status, detail);
  }
  return response;
}

export async function api(path, options) {
  const response = await request(path, options);
  return response.status === 204 ? null : response.json();
}

// Check a token before keeping it: resolves to the admin's name.
export async function checkToken(value) {
  const response = await fetch("/api/admin/me", { headers: { Authorization: `Bearer ${value}` } });
  if (response.status === 429) throw new ApiError(429, "Too many attempts: wait a minute.");
  if (!response.ok) throw new ApiError(response.status, "That token is not valid.");
  return (await response.json()).name;
}

// Fetch a file with the token and hand it to the browser as a download.
export async function download(path, params, filename) {
  const response = await request(path, { params });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}
