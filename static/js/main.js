// Map Link Converter page: upload -> check -> convert -> review, over the JSON API.
// Data from files is written with textContent or template clones, never as HTML.
import { changeSheet, renderPreview, startConversion } from "./check.js";
import { focusMarker } from "./map.js";
import { copyFrom, jumpToPage, retryFailedRows, searchResults, setFilter, turnPage } from "./review.js";
import { resume, startOver } from "./session.js";
import { $, showError } from "./state.js";
import { handleFile } from "./upload.js";
import { retry } from "./watch.js";

// --- wiring (one delegated listener per region) -----------------------------------------------

export function wire() {
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
