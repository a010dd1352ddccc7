// The console is a client of the public API and nothing more: every rule lives in the hub.
import { t } from './i18n.js';

const TOKEN_KEY = 'parkhub.token';

export const MEDIA = {
  json: 'application/json',
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Returns the token of this tab's session, or null. */
export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
}

export function clearToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** An answer of the API that is not a success: its status, stable code and message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function authorization() {
  const value = token();
  return value ? { Authorization: `Bearer ${value}` } : {};
}

async function failure(response) {
  let code = `http_${response.status}`;
  let message = response.statusText || t('error.http', { status: response.status });
  try {
    const body = await response.json();
    code = body.code || code;
    message = body.message || message;
  } catch {
    // Not a JSON error body: keep the status text.
  }
  if (response.status === 401) {
    window.dispatchEvent(new CustomEvent('parkhub:unauthorized', { detail: message }));
  }
  return new ApiError(response.status, code, message);
}

/**
 * Calls the API. `json` is sent as the JSON body; the answer is parsed as JSON unless `accept`
 * asks for another format, in which case the Blob is returned.
 */
export async function request(path, { method = 'GET', json, accept = MEDIA.json, signal } = {}) {
  const headers = { Accept: accept, ...authorization() };
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = MEDIA.json;
    body = JSON.stringify(json);
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body, signal, cache: 'no-store' });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network', t('error.network'));
  }
  if (!response.ok) throw await failure(response);
  if (response.status === 204) return null;
  return accept === MEDIA.json ? response.json() : response.blob();
}

/** Returns `path` with the query parameters of `params` (an object or URLSearchParams). */
export function withQuery(path, params) {
  const query = new URLSearchParams(params).toString();
  return query ? `${path}?${query}` : path;
}

/** Saves a Blob as a file the browser downloads. */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Fetches an answer as CSV or XLSX and downloads it. */
export async function download(path, format, filename, options = {}) {
  const blob = await request(path, { ...options, accept: MEDIA[format] });
  saveBlob(blob, `${filename}.${format}`);
}

/**
 * Uploads a file as the body of a POST, reporting progress (0..1) while it is sent; resolves
 * with the JSON answer.
 */
export function upload(path, file, contentType, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('Accept', MEDIA.json);
    xhr.setRequestHeader('Content-Type', contentType);
    const value = token();
    if (value) xhr.setRequestHeader('Authorization', `Bearer ${value}`);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.upload.onload = () => onProgress(1);
    xhr.onerror = () => reject(new ApiError(0, 'network', t('error.network')));
    xhr.onload = () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // handled below
      }
      if (xhr.status >= 200 && xhr.status < 300 && body) {
        resolve(body);
        return;
      }
      if (xhr.status === 401) {
        window.dispatchEvent(new CustomEvent('parkhub:unauthorized', { detail: body?.message }));
      }
      reject(new ApiError(xhr.status, body?.code || `http_${xhr.status}`,
        body?.message || t('error.http', { status: xhr.status })));
    };
    xhr.send(file);
  });
}
