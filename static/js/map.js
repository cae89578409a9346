// The map: Leaflet loaded on demand, markers linked to the table's rows.
import { api } from "./api.js";
import { loadResults } from "./review.js";
import { $, MAP_POINT_LIMIT, PAGE_SIZE, body, formatCount, state } from "./state.js";

// --- map --------------------------------------------------------------------------------------

export let leafletPromise = null;

export function loadLeaflet() {
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

export async function fetchMapRows() {
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

export async function loadMap() {
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
    marker.bindPopup(popup, { autoPanPadding: [12, 12] });
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

export function focusMarker(rowNumber) {
  const marker = state.markers.get(rowNumber);
  if (!marker || !state.map) return;
  const container = state.map.getContainer();
  // On a phone the map sits above or below the table: bring it into view first.
  const box = container.getBoundingClientRect();
  if (box.top < 0 || box.bottom > window.innerHeight) container.scrollIntoView({ block: "nearest" });
  state.map.setView(marker.getLatLng(), Math.max(state.map.getZoom(), 14), { animate: false });
  marker.openPopup(); // Leaflet pans the map so that the popup stays inside it (autoPan)
  for (const row of document.querySelectorAll("#results-table tbody tr")) {
    row.dataset.selected = String(Number(row.dataset.rowNumber) === rowNumber);
  }
}

export async function showRowInTable(rowNumber) {
  const index = state.mapRows.findIndex((row) => row.row_number === rowNumber);
  if (index < 0) return;
  state.filter = "ok";
  state.offset = Math.floor(index / PAGE_SIZE) * PAGE_SIZE;
  await loadResults(rowNumber);
}
