// Shared state, constants and small view helpers of the page.
export const PAGE_SIZE = 100;
export const POLL_INTERVAL_MS = 500;
export const ANNOUNCE_INTERVAL_MS = 5000;
export const MAP_POINT_LIMIT = 5000;
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const TERMINAL_STATES = new Set(["done", "failed", "interrupted"]);

export const state = {
  sessionId: null,
  summary: null,
  filter: "",
  search: "",
  eta: null,
  offset: 0,
  total: 0,
  pollTimer: null,
  lastAnnounce: 0,
  map: null,
  markers: new Map(), // row_number -> marker
  mapRows: [], // ok rows on the map, in result order
  hasNames: false,
};

export const $ = (selector) => document.querySelector(selector);
export const body = document.body;
export const maxUploadBytes = Number(body.dataset.maxUploadMb) * 1024 * 1024;

// --- small view helpers -----------------------------------------------------------------------

export function showError(element, message) {
  element.textContent = message;
  element.hidden = !message;
}

export function showStep(step) {
  const sections = { upload: "#upload-section", check: "#check-section", watch: "#watch-section", review: "#review-section" };
  for (const [name, selector] of Object.entries(sections)) {
    $(selector).hidden = name === "upload" ? step !== "upload" : name !== step;
  }
  for (const item of document.querySelectorAll(".steps li")) {
    if (item.dataset.step === step) item.setAttribute("aria-current", "step");
    else item.removeAttribute("aria-current");
  }
}

export function focusHeading(selector) {
  const heading = $(selector);
  heading.setAttribute("tabindex", "-1");
  heading.focus();
}

export const numberFormat = new Intl.NumberFormat();
export const formatCount = (value) => numberFormat.format(value || 0);
