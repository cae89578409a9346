// Map Link Converter page: upload -> check -> convert -> review, over the JSON API.
// Data from files is written with textContent or template clones, never as HTML.
"use strict";

(() => {
  const PAGE_SIZE = 100;
  const POLL_INTERVAL_MS = 500;
  const ANNOUNCE_INTERVAL_MS = 5000;
  const MAP_POINT_LIMIT = 5000;
  const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  const TERMINAL_STATES = new Set(["done", "failed", "interrupted"]);

  const state = {
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

  const $ = (selector) => document.querySelector(selector);
  const body = document.body;
  const maxUploadBytes = Number(body.dataset.maxUploadMb) * 1024 * 1024;

  // --- API --------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(message, code, status) {
      super(message);
      this.code = code;
      this.status = status;
    }
  }

  async function api(path, options = {}) {
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

  function uploadWithProgress(file, onProgress) {
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

  // --- small view helpers -----------------------------------------------------------------------

  function showError(element, message) {
    element.textContent = message;
    element.hidden = !message;
  }

  function showStep(step) {
    const sections = { upload: "#upload-section", check: "#check-section", watch: "#watch-section", review: "#review-section" };
    for (const [name, selector] of Object.entries(sections)) {
      $(selector).hidden = name === "upload" ? step !== "upload" : name !== step;
    }
    for (const item of document.querySelectorAll(".steps li")) {
      if (item.dataset.step === step) item.setAttribute("aria-current", "step");
      else item.removeAttribute("aria-current");
    }
  }

  function focusHeading(selector) {
    const heading = $(selector);
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }

  const numberFormat = new Intl.NumberFormat();
  const formatCount = (value) => numberFormat.format(value || 0);

  // --- 1. upload --------------------------------------------------------------------------------

  async function handleFile(file) {
    showError($("#upload-error"), "");
    showError($("#global-error"), "");
    if (!file) return;
    if (file.size > maxUploadBytes) {
      showError($("#upload-error"), `This file is ${(file.size / 1048576).toFixed(1)} MB; the limit is ${body.dataset.maxUploadMb} MB. Split it into smaller files.`);
      return;
    }
    const progressRow = $("#upload-progress");
    progressRow.hidden = false;
    const setProgress = (fraction) => {
      $("#upload-bar").value = Math.round(fraction * 100);
      $("#upload-percent").textContent = `${Math.round(fraction * 100)} %`;
    };
    setProgress(0);
    try {
      const summary = await uploadWithProgress(file, setProgress);
      state.sessionId = summary.id;
      history.replaceState(null, "", `#${summary.id}`);
      renderCheck(summary);
      showStep("check");
      focusHeading("#check-title");
    } catch (error) {
      showError($("#upload-error"), `${error.message}`);
    } finally {
      progressRow.hidden = true;
      $("#file-input").value = "";
    }
  }

  // --- 2. check ---------------------------------------------------------------------------------

  function renderCheck(summary) {
    state.summary = summary;
    $("#file-summary").textContent = `${summary.filename} · ${formatCount(summary.row_count)} rows${summary.sheet ? ` · sheet “${summary.sheet}”` : ""}`;
    const sheetSelect = $("#sheet-select");
    $("#sheet-field").hidden = summary.sheets.length < 2;
    sheetSelect.replaceChildren(...summary.sheets.map((name) => new Option(name, name, false, name === summary.sheet)));
    const columnSelect = $("#column-select");
    columnSelect.replaceChildren(...summary.columns.map((name) => new Option(name, name, false, name === summary.link_column)));
    if (!summary.link_column) columnSelect.selectedIndex = -1;
    showError($("#check-error"), summary.link_column ? "" : "No column here looks like map links. Choose the column that holds them.");
    renderPreview();
  }

  function renderPreview() {
    const { preview } = state.summary;
    const linkIndex = preview.columns.indexOf($("#column-select").value);
    const headRow = $("#preview-table thead tr");
    headRow.replaceChildren(...preview.columns.map((name, index) => {
      const cell = document.createElement("th");
      cell.scope = "col";
      cell.textContent = name;
      if (index === linkIndex) cell.dataset.linkColumn = "";
      return cell;
    }));
    $("#preview-table tbody").replaceChildren(...preview.rows.map((row) => {
      const tableRow = document.createElement("tr");
      row.forEach((value, index) => {
        const cell = document.createElement("td");
        cell.textContent = value;
        if (index === linkIndex) cell.dataset.linkColumn = "";
        tableRow.append(cell);
      });
      return tableRow;
    }));
  }

  async function changeSheet() {
    showError($("#check-error"), "");
    try {
      const sheet = $("#sheet-select").value;
      renderCheck(await api(`/upload/${state.sessionId}?sheet=${encodeURIComponent(sheet)}`));
    } catch (error) {
      showError($("#check-error"), error.message);
    }
  }

  async function startConversion() {
    showError($("#check-error"), "");
    const column = $("#column-select").value;
    if (!column) {
      showError($("#check-error"), "Choose the column that holds the links.");
      return;
    }
    const button = $("#convert-button");
    button.disabled = true;
    try {
      await api(`/process/${state.sessionId}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ column, sheet: state.summary.sheet }),
      });
      enterWatch();
    } catch (error) {
      showError($("#check-error"), error.message);
    } finally {
      button.disabled = false;
    }
  }

  // --- 3. watch ---------------------------------------------------------------------------------

  function enterWatch() {
    showError($("#job-error"), "");
    $("#retry-button").hidden = true;
    $("#job-bar").value = 0;
    $("#job-text").textContent = "Starting…";
    showStep("watch");
    focusHeading("#watch-title");
    poll();
  }

  async function poll() {
    clearTimeout(state.pollTimer);
    let status;
    try {
      status = await api(`/status/${state.sessionId}`);
    } catch (error) {
      if (error.status === 404) return sessionGone(error.message);
      showError($("#job-error"), `${error.message} Retrying…`);
      state.pollTimer = setTimeout(poll, POLL_INTERVAL_MS * 4);
      return;
    }
    showError($("#job-error"), "");
    renderProgress(status);
    if (status.state === "done") {
      await enterReview(status);
    } else if (TERMINAL_STATES.has(status.state)) {
      showError($("#job-error"), status.error || "The conversion stopped. Start it again.");
      $("#retry-button").hidden = false;
    } else {
      state.pollTimer = setTimeout(poll, POLL_INTERVAL_MS);
    }
  }

  function renderProgress(status) {
    const bar = $("#job-bar");
    bar.max = Math.max(status.total, 1);
    bar.value = status.processed;
    const counts = status.counts;
    const percent = status.total ? Math.floor((status.processed / status.total) * 100) : 0;
    let text = `${formatCount(status.processed)} of ${formatCount(status.total)} rows (${percent} %) · ${formatCount(counts.ok)} ok · ${formatCount(counts.failed)} failed · ${formatCount(counts.skipped)} skipped`;
    if (status.state === "queued") text = `Waiting for a free slot… ${text}`;
    if (status.phase === "reading") text = `Reading the file… ${text}`;
    if (status.phase === "writing") text = `Writing your spreadsheet… ${text}`;
    // The ETA is smoothed (a moving average), so one slow short link does not make it swing.
    if (status.eta_seconds != null) {
      state.eta = state.eta == null ? status.eta_seconds : 0.7 * state.eta + 0.3 * status.eta_seconds;
      text += ` · about ${Math.max(1, Math.round(state.eta))} s left`;
    } else {
      state.eta = null;
    }
    if (status.state === "done") text = `Done: ${text}`;
    $("#job-text").textContent = text;
    const now = Date.now();
    // The live region speaks; re-announcing every poll would drown a screen reader.
    if (now - state.lastAnnounce >= ANNOUNCE_INTERVAL_MS || TERMINAL_STATES.has(status.state)) {
      $("#job-announce").textContent = text;
      state.lastAnnounce = now;
    }
    bar.setAttribute("aria-valuetext", text);
    bar.title = text;
  }

  async function retry() {
    $("#retry-button").hidden = true;
    try {
      await api(`/process/${state.sessionId}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ column: $("#column-select").value || null, sheet: state.summary ? state.summary.sheet : null }),
      });
      enterWatch();
    } catch (error) {
      showError($("#job-error"), error.message);
      $("#retry-button").hidden = false;
    }
  }

  // --- 4. review --------------------------------------------------------------------------------

  async function enterReview(status) {
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

  function renderStats(status) {
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
  async function retryFailedRows() {
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

  async function loadResults(selectRowNumber = null) {
    const query = new URLSearchParams({ offset: state.offset, limit: PAGE_SIZE });
    if (state.filter) query.set("status", state.filter);
    if (state.search) query.set("q", state.search);
    let page;
    try {
      page = await api(`/results/${state.sessionId}?${query}`);
    } catch (error) {
      if (error.status === 404) return sessionGone(error.message);
      showError($("#global-error"), error.message);
      return;
    }
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

  function renderRows(rows, selectRowNumber) {
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

  function setFilter(filter) {
    state.filter = filter;
    state.offset = 0;
    loadResults();
  }

  const LINK_SHOWN_CHARS = 48;

  // "https://www.google.com/maps/pl…!4d2.2944813": the start and the end say most about a link.
  function shortenMiddle(text, limit) {
    if (!text || text.length <= limit) return text || "";
    const tail = Math.floor(limit / 3);
    return `${text.slice(0, limit - tail - 1)}…${text.slice(-tail)}`;
  }

  async function copyFrom(button) {
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

  let searchTimer = null;

  function searchResults(text) {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      state.search = text.trim();
      state.offset = 0;
      loadResults();
    }, 250);
  }

  function jumpToPage(event) {
    event.preventDefault();
    const pages = Math.max(1, Math.ceil(state.total / PAGE_SIZE));
    const wanted = Math.min(Math.max(1, Number($("#page-number").value) || 1), pages);
    state.offset = (wanted - 1) * PAGE_SIZE;
    loadResults();
  }

  function turnPage(direction) {
    state.offset = Math.max(0, state.offset + direction * PAGE_SIZE);
    loadResults();
  }

  // --- map --------------------------------------------------------------------------------------

  let leafletPromise = null;

  function loadLeaflet() {
    if (window.L) return Promise.resolve(window.L);
    if (!leafletPromise) {
      leafletPromise = new Promise((resolve, reject) => {
        const stylesheet = document.createElement("link");
        stylesheet.rel = "stylesheet";
        stylesheet.href = body.dataset.leafletCss;
        document.head.append(stylesheet);
        const script = document.createElement("script");
        script.src = body.dataset.leafletJs;
        script.addEventListener("load", () => resolve(window.L));
        script.addEventListener("error", () => reject(new Error("map library unavailable")));
        document.head.append(script);
      });
    }
    return leafletPromise;
  }

  async function fetchMapRows() {
    const rows = [];
    let total = 0;
    for (let offset = 0; offset < MAP_POINT_LIMIT; offset += 1000) {
      const page = await api(`/results/${state.sessionId}?status=ok&limit=1000&offset=${offset}`);
      total = page.total;
      rows.push(...page.rows);
      if (rows.length >= total) break;
    }
    return { rows, total };
  }

  async function loadMap() {
    const note = $("#map-note");
    let L;
    let mapData;
    try {
      [L, mapData] = await Promise.all([loadLeaflet(), fetchMapRows()]);
    } catch (error) {
      note.textContent = `The map could not be shown (${error.message}); the table and downloads still work.`;
      return;
    }
    if (state.map) state.map.remove();
    state.markers.clear();
    state.mapRows = mapData.rows;
    // SVG markers are DOM elements (focusable, testable); a canvas keeps thousands of them fast.
    const map = L.map("map", { preferCanvas: mapData.rows.length > 1000, worldCopyJump: true });
    state.map = map;
    L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19,
      attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
    }).addTo(map);
    const bounds = [];
    for (const row of mapData.rows) {
      const marker = L.circleMarker([row.lat, row.lng], { radius: 6, weight: 2, className: `marker-row-${row.row_number}` });
      const popup = document.createElement("div");
      popup.textContent = `Row ${row.row_number}${row.name ? ` · ${row.name}` : ""} · ${row.lat}, ${row.lng}`;
      marker.bindPopup(popup);
      marker.on("click", () => showRowInTable(row.row_number));
      marker.addTo(map);
      state.markers.set(row.row_number, marker);
      bounds.push([row.lat, row.lng]);
    }
    if (bounds.length) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
    else map.setView([20, 0], 2);
    map.getContainer().dataset.markerCount = String(bounds.length);
    note.textContent = mapData.total > mapData.rows.length
      ? `Showing the first ${formatCount(mapData.rows.length)} of ${formatCount(mapData.total)} points (thinned for speed).`
      : `${formatCount(mapData.rows.length)} points.`;
  }

  function focusMarker(rowNumber) {
    const marker = state.markers.get(rowNumber);
    if (!marker || !state.map) return;
    state.map.setView(marker.getLatLng(), Math.max(state.map.getZoom(), 14));
    marker.openPopup();
    for (const row of document.querySelectorAll("#results-table tbody tr")) {
      row.dataset.selected = String(Number(row.dataset.rowNumber) === rowNumber);
    }
  }

  async function showRowInTable(rowNumber) {
    const index = state.mapRows.findIndex((row) => row.row_number === rowNumber);
    if (index < 0) return;
    state.filter = "ok";
    state.offset = Math.floor(index / PAGE_SIZE) * PAGE_SIZE;
    await loadResults(rowNumber);
  }

  // --- start over and resume --------------------------------------------------------------------

  async function startOver() {
    clearTimeout(state.pollTimer);
    const sessionId = state.sessionId;
    state.sessionId = null;
    state.summary = null;
    if (state.map) {
      state.map.remove();
      state.map = null;
    }
    state.markers.clear();
    history.replaceState(null, "", location.pathname);
    showError($("#global-error"), "");
    showError($("#upload-error"), "");
    showStep("upload");
    $("#file-input").focus();
    if (sessionId) {
      try {
        await api(`/upload/${sessionId}`, { method: "DELETE" });
      } catch (error) {
        // The old session expires on its own; nothing for the user to do.
      }
    }
  }

  function sessionGone(message) {
    clearTimeout(state.pollTimer);
    state.sessionId = null;
    history.replaceState(null, "", location.pathname);
    showStep("upload");
    showError($("#global-error"), message || "This upload is no longer available. Upload the file again.");
  }

  async function resume() {
    const sessionId = location.hash.slice(1).toLowerCase();
    if (!UUID_PATTERN.test(sessionId)) return;
    state.sessionId = sessionId;
    try {
      const [summary, status] = await Promise.all([api(`/upload/${sessionId}`), api(`/status/${sessionId}`)]);
      renderCheck(summary);
      if (status.state === "uploaded") {
        showStep("check");
      } else if (status.state === "done") {
        await enterReview(status);
      } else {
        showStep("watch");
        poll();
      }
    } catch (error) {
      if (error.status === 404) sessionGone(error.message);
      else showError($("#global-error"), error.message);
    }
  }

  // --- wiring (one delegated listener per region) -----------------------------------------------

  function wire() {
    $("#file-input").addEventListener("change", (event) => handleFile(event.target.files[0]));
    const dropZone = $("#drop-zone");
    dropZone.addEventListener("dragover", (event) => {
      event.preventDefault();
      dropZone.dataset.dragging = "true";
    });
    dropZone.addEventListener("dragleave", () => { dropZone.dataset.dragging = "false"; });
    dropZone.addEventListener("drop", (event) => {
      event.preventDefault();
      dropZone.dataset.dragging = "false";
      handleFile(event.dataTransfer.files[0]);
    });
    $("#sheet-select").addEventListener("change", changeSheet);
    $("#column-select").addEventListener("change", () => {
      showError($("#check-error"), "");
      renderPreview();
    });
    $("#convert-button").addEventListener("click", startConversion);
    $("#retry-button").addEventListener("click", retry);
    $("#retry-failed-button").addEventListener("click", retryFailedRows);
    document.addEventListener("click", (event) => {
      if (event.target.closest('[data-action="start-over"]')) startOver();
    });
    $(".filters").addEventListener("click", (event) => {
      const chip = event.target.closest(".chip");
      if (chip) setFilter(chip.dataset.filter);
    });
    $(".pager").addEventListener("click", (event) => {
      const button = event.target.closest("[data-page]");
      if (button) turnPage(button.dataset.page === "next" ? 1 : -1);
    });
    const resultsBody = $("#results-table tbody");
    $("#result-search").addEventListener("input", (event) => searchResults(event.target.value));
    $("#page-jump").addEventListener("submit", jumpToPage);
    resultsBody.addEventListener("click", (event) => {
      const copyButton = event.target.closest(".copy-button");
      if (copyButton) {
        event.stopPropagation();
        copyFrom(copyButton);
        return;
      }
      if (event.target.closest("a")) return;
      const row = event.target.closest('tr[data-status="ok"]');
      if (row) focusMarker(Number(row.dataset.rowNumber));
    });
    resultsBody.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.target.closest("a, button")) return;
      const row = event.target.closest('tr[data-status="ok"]');
      if (row) focusMarker(Number(row.dataset.rowNumber));
    });
  }

  wire();
  resume();
})();
