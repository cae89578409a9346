// Step 4: stat cards, downloads, the results table with its filters, search and pages.
import { api } from "./api.js";
import { loadMap } from "./map.js";
import { sessionGone } from "./session.js";
import { $, PAGE_SIZE, focusHeading, formatCount, showError, showStep, state } from "./state.js";
import { enterWatch } from "./watch.js";

// --- 4. review --------------------------------------------------------------------------------

export async function enterReview(status) {
  showStep("review");
  renderStats(status);
  for (const link of document.querySelectorAll(".downloads [data-format]")) {
    link.href = `/download/${state.sessionId}?format=${link.dataset.format}`;
  }
  state.filter = "";
  state.search = "";
  $("#result-search").value = "";
  state.offset = 0;
  await loadResults();
  focusHeading("#review-title");
  loadMap();
}

export function renderStats(status) {
  const template = $("#stat-card-template");
  const cards = [
    ["Total rows", status.total, "total"],
    ["OK", status.counts.ok, "ok"],
    ["Failed", status.counts.failed, "failed"],
    ["Skipped (blank)", status.counts.skipped, "skipped"],
  ].map(([label, value, kind]) => {
    const card = template.content.firstElementChild.cloneNode(true);
    card.dataset.status = kind;
    card.querySelector(".stat-card__value").textContent = formatCount(value);
    card.querySelector(".stat-card__label").textContent = label;
    return card;
  });
  $("#stat-cards").replaceChildren(...cards);
  const retryFailed = $("#retry-failed-button");
  retryFailed.hidden = !status.counts.failed;
  retryFailed.textContent = `Retry ${formatCount(status.counts.failed)} failed row${status.counts.failed === 1 ? "" : "s"}`;
}

// Re-reads only the rows that failed (a short link that timed out, a busy host); the rows that
// were ok keep their result, and links resolved before come from the server's cache.
export async function retryFailedRows() {
  const button = $("#retry-failed-button");
  button.disabled = true;
  try {
    await api(`/process/${state.sessionId}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ retry: "failed" }),
    });
    enterWatch();
  } catch (error) {
    showError($("#global-error"), error.message);
  } finally {
    button.disabled = false;
  }
}

let latestRequest = 0;

export async function loadResults(selectRowNumber = null) {
  const query = new URLSearchParams({ offset: state.offset, limit: PAGE_SIZE });
  if (state.filter) query.set("status", state.filter);
  if (state.search) query.set("q", state.search);
  const request = ++latestRequest;
  let page;
  try {
    page = await api(`/results/${state.sessionId}?${query}`);
  } catch (error) {
    if (request !== latestRequest) return;
    if (error.status === 404) return sessionGone(error.message);
    showError($("#global-error"), error.message);
    return;
  }
  // Answers can arrive out of order (a filter clicked while a search was loading): only the
  // latest request may draw the table.
  if (request !== latestRequest) return;
  state.total = page.total;
  if (state.offset === 0 && !state.filter) state.hasNames = page.rows.some((row) => row.name);
  $("#results-table").dataset.hasNames = String(state.hasNames);
  for (const cell of document.querySelectorAll("#results-table th[data-name-column]")) cell.hidden = !state.hasNames;
  renderRows(page.rows, selectRowNumber);
  const empty = $("#results-empty");
  empty.hidden = page.total > 0;
  if (!page.total) {
    const what = state.filter ? `${state.filter} rows` : "rows";
    empty.textContent = state.search ? `No ${what} match “${state.search}”.` : `No ${what}.`;
  }
  const first = page.total ? state.offset + 1 : 0;
  const last = Math.min(state.offset + PAGE_SIZE, page.total);
  const pages = Math.max(1, Math.ceil(page.total / PAGE_SIZE));
  $("#page-info").textContent = `Rows ${formatCount(first)}–${formatCount(last)} of ${formatCount(page.total)}`;
  $('[data-page="prev"]').disabled = state.offset === 0;
  $('[data-page="next"]').disabled = last >= page.total;
  const pageNumber = $("#page-number");
  pageNumber.max = pages;
  pageNumber.value = Math.floor(state.offset / PAGE_SIZE) + 1;
  $("#page-jump").hidden = pages < 2;
  for (const chip of document.querySelectorAll(".chip")) {
    chip.setAttribute("aria-pressed", String(chip.dataset.filter === state.filter));
  }
}

export function renderRows(rows, selectRowNumber) {
  const template = $("#result-row-template");
  let selected = null;
  const elements = rows.map((row) => {
    const element = template.content.firstElementChild.cloneNode(true);
    element.dataset.status = row.status;
    element.dataset.rowNumber = row.row_number;
    const field = (name) => element.querySelector(`[data-field="${name}"]`);
    field("row_number").textContent = row.row_number;
    field("name").textContent = row.name;
    field("name").hidden = !state.hasNames;
    const link = field("link");
    link.textContent = shortenMiddle(row.link, LINK_SHOWN_CHARS);
    link.title = row.link; // the whole link on hover and on focus (tabindex)
    link.setAttribute("aria-label", row.link);
    element.querySelector('[data-copy="link"]').hidden = !row.link;
    field("lat").textContent = row.lat ?? "";
    field("lng").textContent = row.lng ?? "";
    const badge = field("status");
    badge.dataset.status = row.status;
    badge.textContent = row.status;
    field("note").textContent = row.note;
    field("note").title = row.note;
    field("name").title = row.name;
    if (row.status === "ok") {
      const copy = element.querySelector('[data-copy="coordinates"]');
      copy.hidden = false;
      copy.dataset.value = `${row.lat}, ${row.lng}`;
      element.tabIndex = 0;
      element.title = "Show on the map";
      const mapLink = document.createElement("a");
      mapLink.href = `https://www.openstreetmap.org/?mlat=${row.lat}&mlon=${row.lng}#map=17/${row.lat}/${row.lng}`;
      mapLink.target = "_blank";
      mapLink.rel = "noopener noreferrer";
      mapLink.textContent = "open map ↗";
      field("note").append(" · ", mapLink);
    }
    if (row.row_number === selectRowNumber) {
      element.dataset.selected = "true";
      selected = element;
    }
    return element;
  });
  $("#results-table tbody").replaceChildren(...elements);
  if (selected) {
    selected.scrollIntoView({ block: "nearest" });
    selected.focus({ preventScroll: true });
  }
}

export function setFilter(filter) {
  clearTimeout(searchTimer); // a search still being typed applies now, with the new filter
  state.search = $("#result-search").value.trim();
  state.filter = filter;
  state.offset = 0;
  loadResults();
}

export const LINK_SHOWN_CHARS = 48;

// "https://www.google.com/maps/pl…!4d2.2944813": the start and the end say most about a link.
export function shortenMiddle(text, limit) {
  if (!text || text.length <= limit) return text || "";
  const tail = Math.floor(limit / 3);
  return `${text.slice(0, limit - tail - 1)}…${text.slice(-tail)}`;
}

export async function copyFrom(button) {
  const row = button.closest("tr");
  const text = button.dataset.copy === "link"
    ? row.querySelector('[data-field="link"]').title
    : button.dataset.value;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch (error) {
    button.textContent = "Select and copy";
  }
  setTimeout(() => { button.textContent = button.dataset.copy === "link" ? "Copy link" : "Copy"; }, 1500);
}

export let searchTimer = null;

export function searchResults(text) {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => {
    state.search = text.trim();
    state.offset = 0;
    loadResults();
  }, 250);
}

export function jumpToPage(event) {
  event.preventDefault();
  const pages = Math.max(1, Math.ceil(state.total / PAGE_SIZE));
  const wanted = Math.min(Math.max(1, Number($("#page-number").value) || 1), pages);
  state.offset = (wanted - 1) * PAGE_SIZE;
  loadResults();
}

export function turnPage(direction) {
  state.offset = Math.max(0, state.offset + direction * PAGE_SIZE);
  loadResults();
}
