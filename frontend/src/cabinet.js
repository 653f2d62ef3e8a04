// The cabinet's hearings: each join button appears when the hearing's waiting room opens, without
// a reload. The server rendered each button as of the page's render; the /cabinet socket (live.js)
// then says which hearings can be joined whenever that changes (a clerk or judge opened the waiting
// room, or its time came). Until the socket has spoken, and whenever it drops, this asks the
// hearings API every half minute (and right at the next announced opening time) instead. Without
// script, a reload does the same.
const POLL_MS = 30_000;

function show(joinable) {
  for (const join of document.querySelectorAll("[data-join]")) {
    const id = Number(join.dataset.join);
    const wait = document.querySelector(`[data-wait="${id}"]`);
    join.hidden = !joinable.has(id);
    if (wait) wait.hidden = joinable.has(id);
  }
  document.body.dataset.joinable = [...joinable].sort((a, b) => a - b).join(" ");
}

function apply(hearings) {
  show(new Set(hearings.filter((h) => h.joinable).map((h) => h.hearing_id)));
}

function nextOpening(hearings) {
  const now = Date.now();
  const later = hearings.filter((h) => !h.joinable && h.join_url).map((h) => Date.parse(h.lobby_opens_at))
    .filter((at) => at > now);
  return later.length ? Math.min(...later) - now : null;
}

let timer = null;
let live = false;
async function refresh() {
  clearTimeout(timer);
  if (live) return;
  let wait = POLL_MS;
  try {
    const response = await fetch("/api/v1/me/hearings", { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (response.ok && !live) {
      const { hearings } = await response.json();
      apply(hearings);
      const opening = nextOpening(hearings);
      if (opening !== null) wait = Math.min(wait, opening + 500);
    }
  } catch {
    // Offline for a moment: keep what the page shows and ask again at the next tick.
  }
  if (!live) timer = setTimeout(refresh, wait);
}

document.addEventListener("sotkab:hearings", (event) => {
  live = true;
  clearTimeout(timer);
  show(new Set(event.detail.joinable));
  document.body.dataset.hearingsLive = "true";
});
document.addEventListener("sotkab:hearings-lost", () => {
  live = false;
  delete document.body.dataset.hearingsLive;
  refresh();
});

document.body.dataset.hearingsWatched = "true";
refresh();
