// Step 3: watch the job's progress (a setTimeout chain that stops on a terminal state).
import { api } from "./api.js";
import { enterReview } from "./review.js";
import { sessionGone } from "./session.js";
import { $, ANNOUNCE_INTERVAL_MS, POLL_INTERVAL_MS, TERMINAL_STATES, focusHeading, formatCount, showError, showStep, state } from "./state.js";

// --- 3. watch ---------------------------------------------------------------------------------

export function enterWatch() {
  showError($("#job-error"), "");
  $("#retry-button").hidden = true;
  $("#job-bar").value = 0;
  $("#job-text").textContent = "Starting…";
  showStep("watch");
  focusHeading("#watch-title");
  poll();
}

export async function poll() {
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

export function renderProgress(status) {
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

export async function retry() {
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
