// Live notices on every cabinet page: the unread count in the header follows the /cabinet
// socket.io namespace (the session cookie authenticates the handshake), and a new notice is
// announced to screen readers. Without script the count is still right as of the page's render.
import { io } from "socket.io-client";

const count = document.getElementById("unread-count");
const words = document.getElementById("unread-words");
const announce = document.getElementById("live-notices");
const template = document.getElementById("live-words").content;
const phrases = new Map([...template.querySelectorAll("[data-word]")].map((node) => [node.dataset.word, node.textContent]));
const headings = new Map([...template.querySelectorAll("[data-kind]")].map((node) => [node.dataset.kind, node.textContent]));

function phrase(name, values) {
  return (phrases.get(name) || "").replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));
}

const socket = io("/cabinet", { transports: ["websocket"], withCredentials: true });
socket.on("unread", ({ unread }) => {
  count.textContent = String(unread);
  count.hidden = unread === 0;
  words.textContent = unread ? phrase("unread", { count: unread }) : "";
  document.body.dataset.unread = String(unread);
  for (const node of document.querySelectorAll("[data-unread-count]")) node.textContent = String(unread);
});
// Which hearings can be joined now: the cabinet's join buttons follow it (cabinet.js), and stop
// asking the API while the socket tells them; if the socket drops, they ask again.
socket.on("hearings", ({ joinable }) => {
  document.dispatchEvent(new CustomEvent("sotkab:hearings", { detail: { joinable } }));
});
socket.on("disconnect", () => document.dispatchEvent(new CustomEvent("sotkab:hearings-lost")));
socket.on("notice", (notice) => {
  // The heading in the reader's language (the notice's stored title is the issuer's wording).
  announce.textContent = phrase("new", { heading: headings.get(notice.kind) || notice.title || "" });
});

// The recordings desk: a record being composed shows its progress as the worker reports it
// (`composition` events reach only the court's clerks and judges); once done, the page reloads
// to show the player.
socket.on("composition", (job) => {
  const box = document.querySelector(`[data-composition="${Number(job.recording_id)}"]`);
  if (!box) {
    return;
  }
  const bar = box.querySelector("progress");
  bar.value = job.progress;
  bar.textContent = `${job.progress} %`;
  const word = box.querySelector(`.composition__words`).content.querySelector(`[data-state="${job.state}"]`);
  box.querySelector(".composition__state").textContent = word ? word.textContent : job.state;
  const before = box.dataset.state;
  box.dataset.state = job.state;
  if (job.state === "done" && before !== "done" && !document.getElementById("record-player")) {
    window.location.reload();
  }
});
