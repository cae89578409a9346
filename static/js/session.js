// Start over, and resume a session from the URL after a reload.
import { api } from "./api.js";
import { renderCheck } from "./check.js";
import { enterReview } from "./review.js";
import { $, UUID_PATTERN, showError, showStep, state } from "./state.js";
import { poll } from "./watch.js";

// --- start over and resume --------------------------------------------------------------------

export async function startOver() {
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

export function sessionGone(message) {
  clearTimeout(state.pollTimer);
  state.sessionId = null;
  history.replaceState(null, "", location.pathname);
  showStep("upload");
  showError($("#global-error"), message || "This upload is no longer available. Upload the file again.");
}

export async function resume() {
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
