// The one fetch helper: checks response.ok and turns the API's error JSON into a message.
import { $ } from "./state.js";

// --- API --------------------------------------------------------------------------------------

export class ApiError extends Error {
  constructor(message, code, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

export async function api(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { headers: { Accept: "application/json" }, ...options });
  } catch (error) {
    throw new ApiError("Could not reach the server. Check your connection and try again.", "network", 0);
  }
  const isJson = (response.headers.get("Content-Type") || "").includes("application/json");
  const payload = isJson ? await response.json() : null;
  if (!response.ok) {
    const error = payload && payload.error;
    throw new ApiError(
      error ? error.message : `The server answered ${response.status}. Try again.`,
      error ? error.code : "http_error",
      response.status,
    );
  }
  return payload;
}

export function uploadWithProgress(file, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    const form = new FormData();
    form.append("file", file);
    request.open("POST", "/upload");
    request.responseType = "json";
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener("load", () => {
      const payload = request.response;
      if (request.status === 201 && payload) {
        resolve(payload);
      } else {
        const error = payload && payload.error;
        reject(new ApiError(
          error ? error.message : `The upload failed (${request.status}). Try again.`,
          error ? error.code : "http_error",
          request.status,
        ));
      }
    });
    request.addEventListener("error", () => reject(new ApiError(
      "The upload did not reach the server. Check your connection and try again.", "network", 0,
    )));
    request.send(form);
  });
}
