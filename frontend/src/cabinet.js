// The cabinet's hearings: each join button appears when the hearing's waiting room opens, without
// a reload. The server rendered each button as of the page's render; this asks the hearings API
// again every half minute (and right at the next announced opening time), and shows or hides the
// button and its "opens at" line by what it answers. Without script, a reload does the same.
const POLL_MS = 30_000;

function apply(hearings) {
  for (const hearing of hearings) {
    const join = document.querySelector(`[data-join="${hearing.hearing_id}"]`);
    const wait = document.querySelector(`[data-wait="${hearing.hearing_id}"]`);
    if (!join || !wait) continue;
    join.hidden = !hearing.joinable;
    wait.hidden = hearing.joinable;
  }
  document.body.dataset.joinable = hearings.filter((h) => h.joinable).map((h) => h.hearing_id).join(" ");
}

function nextOpening(hearings) {
  const now = Date.now();
  const later = hearings.filter((h) => !h.joinable && h.join_url).map((h) => Date.parse(h.lobby_opens_at))
    .filter((at) => at > now);
  return later.length ? Math.min(...later) - now : null;
}

let timer = null;
async function refresh() {
  clearTimeout(timer);
  let wait = POLL_MS;
  try {
    const response = await fetch("/api/v1/me/hearings", { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (response.ok) {
      const { hearings } = await response.json();
      apply(hearings);
      const opening = nextOpening(hearings);
      if (opening !== null) wait = Math.min(wait, opening + 500);
    }
  } catch {
    // Offline for a moment: keep what the page shows and ask again at the next tick.
  }
  timer = setTimeout(refresh, wait);
}

document.body.dataset.hearingsWatched = "true";
refresh();
