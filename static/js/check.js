// Step 2: check the detected sheet and link column, then start the conversion.
import { api } from "./api.js";
import { $, formatCount, showError, state } from "./state.js";
import { enterWatch } from "./watch.js";

// --- 2. check ---------------------------------------------------------------------------------

export function renderCheck(summary) {
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

export function renderPreview() {
  const { preview, link_column: detected, message } = state.summary;
  // A note on the detected column (points read from latitude and longitude columns), while chosen.
  showError($("#check-note"), detected && $("#column-select").value === detected ? message || "" : "");
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

export async function changeSheet() {
  showError($("#check-error"), "");
  try {
    const sheet = $("#sheet-select").value;
    renderCheck(await api(`/upload/${state.sessionId}?sheet=${encodeURIComponent(sheet)}`));
  } catch (error) {
    showError($("#check-error"), error.message);
  }
}

export async function startConversion() {
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
