// Step 1: choose a file and upload it with progress.
import { uploadWithProgress } from "./api.js";
import { renderCheck } from "./check.js";
import { $, body, focusHeading, maxUploadBytes, showError, showStep, state } from "./state.js";

// --- 1. upload --------------------------------------------------------------------------------

export async function handleFile(file) {
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
