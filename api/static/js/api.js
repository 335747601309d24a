/* Calls to the peelgraph API: one error shape ({"error": {"code", "message", "detail"}}) turned into ApiError. */

export class ApiError extends Error {
  constructor(message, status, code, detail) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

function withParams(path, params) {
  if (!params) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") q.append(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** The API's own message when it sent one, else a plain sentence for the status. */
function errorFrom(status, text) {
  try {
    const data = JSON.parse(text);
    if (data && data.error) return new ApiError(data.error.message, status, data.error.code, data.error.detail);
  } catch (_) { /* not JSON */ }
  const plain = { 403: "This server does not allow changes.", 404: "Not found.", 413: "The file is too large." };
  return new ApiError(plain[status] || `The server answered with an error (${status}).`, status);
}

export async function api(path, { method = "GET", body, params, raw = false, signal, headers = {} } = {}) {
  const opts = { method, headers: { Accept: "application/json", ...headers }, signal };
  if (body !== undefined) {
    opts.body = JSON.stringify(body);
    opts.headers["Content-Type"] = "application/json";
  }
  let res;
  try {
    res = await fetch(withParams(path, params), opts);
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError("Could not reach the server. Is it still running?", 0, "network");
  }
  if (!res.ok) throw errorFrom(res.status, await res.text());
  return raw ? res : res.json();
}

/** Upload one file with XMLHttpRequest so the page can show upload progress (fetch cannot). */
export function upload(file, onProgress, headers = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/reports");
    xhr.setRequestHeader("Accept", "application/json");
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.addEventListener("progress", (ev) => { if (ev.lengthComputable) onProgress(ev.loaded / ev.total); });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(JSON.parse(xhr.responseText));
      else reject(errorFrom(xhr.status, xhr.responseText));
    });
    xhr.addEventListener("error", () => reject(new ApiError("The upload failed: could not reach the server.", 0)));
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}
