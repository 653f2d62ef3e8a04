// The hearing room: equipment check, waiting room, the room (video grid, own controls, chat) and,
// for the judge and the clerk, the bench. Everything live goes over the /hearing socket
// (signaling/events.md); the session cookie authenticates the handshake.
//
// The relay's model (media/README.md): one RTCPeerConnection; our microphone and camera as
// sendonly transceivers first, then one recvonly audio+video pair per receive slot; no
// renegotiation; the answer holds all the relay's candidates, so we offer once gathering is
// complete. A new offer (new connection) is how we recover: after a dropped socket, a failed
// connection, or a `media_ended` — Chromium keeps receive tracks "live" long after the relay
// removed us, so we tear down on the event, not on the tracks.
import { io } from "socket.io-client";

const root = document.getElementById("room");
const hearingId = Number(root.dataset.hearing);
const publishes = root.dataset.publish === "true";
const $ = (id) => document.getElementById(id);
const wordsNode = $("room-words").content;
const table = (attr) => new Map([...wordsNode.querySelectorAll(`[data-${attr}]`)].map((n) => [n.dataset[attr], n.textContent]));
const words = table("word");
const roles = table("role");
const presences = table("presence");
const states = table("state");
const actions = table("action");
const MAX_SLOTS = 8;
const VIDEO = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 30 } };

// Every time the room shows is court time, as the header and the minutes are, whatever zone the
// reader's computer is set to: the server names the zone on the root element (base.html).
function courtClock(at, options = {}) {
  const html = document.documentElement;
  return new Date(at).toLocaleTimeString(html.lang, { ...options, timeZone: html.dataset.courtTimeZone });
}

function word(name, values = {}) {
  return (words.get(name) || name).replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));
}

const state = {
  you: null, hearing: null, ice: null, stream: null, pc: null, tiles: [], slotUser: new Map(),
  checked: !publishes, inMedia: false, ended: null, audioOnly: false, cameraOff: false, micOff: false,
  handRaised: false, samples: 0, offerAt: 0, answerAt: 0, judgeMuted: false, videoSender: null, lastInbound: new Map(), lossyRounds: 0, quality: null, names: new Map(), restarting: false,
};

// ---- the socket ---------------------------------------------------------------------------

// The hearing rides in the handshake URL too, so HAProxy (balance url_param hearing) places every
// socket of a hearing on the worker that holds its media (signaling/affinity.py).
const socket = io("/hearing", { transports: ["websocket"], withCredentials: true, auth: { hearing: hearingId },
  query: { hearing: String(hearingId) },
  reconnectionDelay: 500, reconnectionDelayMax: 2000 });

function call(event, data = {}) {
  return new Promise((resolve) => socket.timeout(15000).emit(event, data, (err, reply) => {
    resolve(err ? { error: { code: "timeout", message: String(err) } } : reply);
  }));
}

socket.on("connect_error", (error) => {
  const data = error && error.data;
  if (data && data.code) {
    state.ended = data.code;
    root.dataset.ended = data.code;
    banner(words.has(`ended_${data.code}`) ? word(`ended_${data.code}`) : word("refused"));
    socket.disconnect();
  }
});

socket.on("disconnect", () => {
  if (!state.ended) {
    banner(word("reconnecting"));
    root.dataset.connection = "reconnecting";
  }
});

socket.on("joined", (joined) => {
  const again = state.you !== null;
  state.you = joined.you;
  state.ice = joined.ice;
  root.dataset.connection = "connected";
  if (again) {
    banner(word("reconnected"), 3000);
    if (state.inMedia) restartMedia();
  }
  applyRoster(joined.hearing);
  if (joined.you.is_staff) loadChecks();
});

socket.on("roster", applyRoster);
socket.on("hearing_event", onHearingEvent);
socket.on("media_slot", ({ slot, user_id: userId }) => {
  state.slotUser.set(slot, userId);
  labelTile(slot);
});
socket.on("media_quality", ({ slot, mode }) => {
  const tile = state.tiles[slot];
  if (tile) tile.figure.dataset.mode = mode;
  if (mode === "audio_only" && !state.audioOnly) banner(word("suggest_audio_only"));
});
socket.on("media_ended", ({ reason }) => {
  // "replaced" is our own newer offer taking over (a reconnection): the new connection stays. Anything
  // else ends this connection; if we are still in the room (the socket's "ended" did not follow), offer again.
  if (reason === "replaced") return;
  root.dataset.media = `ended:${reason}`;
  teardown();
  setTimeout(() => { if (!state.ended && socket.connected) route(); }, 1000);
});
socket.on("ended", ({ code }) => {
  state.ended = code;
  root.dataset.ended = code;
  teardown();
  stopDevices();
  show("none");
  banner(words.has(`ended_${code}`) ? word(`ended_${code}`) : word("refused"));
});
socket.on("stats", onStats);
socket.on("equipment_check", onCheck);
socket.on("alert", onAlert);

// ---- what the page shows --------------------------------------------------------------------

let bannerTimer = 0;
function banner(text, clearAfter = 0) {
  const node = $("banner");
  node.textContent = text;
  node.hidden = !text;
  clearTimeout(bannerTimer);
  if (clearAfter) bannerTimer = setTimeout(() => { node.hidden = true; }, clearAfter);
}

function show(phase) {
  root.dataset.phase = phase;
  $("check").hidden = phase !== "check";
  $("waiting").hidden = phase !== "waiting";
  $("stage").hidden = phase !== "room";
  $("chat").hidden = phase === "check" || phase === "none" || !state.you || !(state.you.capabilities.chat_all || state.you.capabilities.chat_staff);
}

function me() {
  return state.hearing && state.you ? state.hearing.participants.find((p) => p.user_id === state.you.user_id) : null;
}

function applyRoster(hearing) {
  state.hearing = hearing;
  for (const p of hearing.participants) state.names.set(p.user_id, p.name);
  // A pause is a recess or the court's retirement to the deliberation room: say which.
  const deliberating = hearing.state === "paused" && hearing.pause_reason === "deliberation";
  $("hearing-state").textContent = deliberating ? word("deliberation") : states.get(hearing.state) || hearing.state;
  root.dataset.state = hearing.state;
  root.dataset.pauseReason = hearing.pause_reason || "";
  const live = hearing.state === "in_session" || hearing.state === "paused";
  const recording = $("recording");
  recording.textContent = !live ? word("not_recording") : hearing.recording_paused ? word("recording_paused") : word("recording");
  recording.dataset.on = String(live && !hearing.recording_paused);
  const self = me();
  if (self) {
    root.dataset.presence = self.presence;
    if (publishes && state.stream) applyJudgeMute(self);
  }
  state.tiles.forEach((_, slot) => labelTile(slot));
  if (state.you && state.you.is_staff) renderBench();
  route();
}

function route() {
  if (state.ended || !state.checked || !state.you) return;
  const self = me();
  const presence = self ? self.presence : state.you.presence;
  if (presence === "in_room" || state.you.role === "observer") {
    show("room");
    if (!state.inMedia) startMedia();
  } else if (presence === "waiting") {
    if (state.inMedia) teardown();
    show("waiting");
  }
}

// The judge's mute stops our audio at the relay; the microphone goes off here too, so the person
// sees it. When the judge unmutes, the microphone the judge turned off comes back on.
function applyJudgeMute(self) {
  const audio = state.stream.getAudioTracks()[0];
  if (!audio || self.muted_audio === state.judgeMuted) return;
  state.judgeMuted = self.muted_audio;
  state.micOff = self.muted_audio;
  audio.enabled = !self.muted_audio;
  setToggle("mic-toggle", state.micOff, "unmute", "mute");
  if (self.muted_audio) banner(word("muted_by_judge"), 4000);
}

function onHearingEvent(entry) {
  if (entry.action === "chat") {
    const item = document.createElement("li");
    const who = document.createElement("strong");
    who.textContent = `${state.names.get(entry.actor) || ""}: `;
    item.append(who, document.createTextNode(entry.details.text || ""));
    if (entry.details.channel === "staff") item.classList.add("chat__staff");
    $("chat-log").append(item);
  }
  const minutes = $("minutes");
  if (minutes) {
    const item = document.createElement("li");
    const when = courtClock(entry.at);
    const actor = state.names.get(entry.actor) || "";
    const target = entry.target ? ` → ${state.names.get(entry.target) || entry.target}` : "";
    const what = actions.get(entry.action) || entry.action;
    item.textContent = `${when} ${actor}: ${what}${target}${entry.details.text ? ` — ${entry.details.text}` : ""}`;
    item.dataset.action = entry.action;
    minutes.append(item);
  }
}

// ---- the equipment check --------------------------------------------------------------------

async function openDevices(cameraId, micId) {
  stopDevices();
  try {
    state.stream = await navigator.mediaDevices.getUserMedia({
      video: cameraId ? { ...VIDEO, deviceId: { exact: cameraId } } : VIDEO,
      audio: micId ? { deviceId: { exact: micId } } : true,
    });
  } catch (error) {
    banner(word("no_devices"));
    return;
  }
  $("check-preview").srcObject = state.stream;
  $("own-preview").srcObject = state.stream;
  meter(state.stream);
  const devices = await navigator.mediaDevices.enumerateDevices();
  fillSelect("camera-select", devices.filter((d) => d.kind === "videoinput"), state.stream.getVideoTracks()[0]);
  fillSelect("mic-select", devices.filter((d) => d.kind === "audioinput"), state.stream.getAudioTracks()[0]);
}

function fillSelect(id, devices, track) {
  const select = $(id);
  const current = track ? track.getSettings().deviceId : "";
  select.replaceChildren(...devices.map((d, i) => {
    const option = new Option(d.label || `${i + 1}`, d.deviceId);
    option.selected = d.deviceId === current;
    return option;
  }));
}

function stopDevices() {
  if (state.stream) state.stream.getTracks().forEach((t) => t.stop());
  state.stream = null;
}

let audioContext = null;
function context() {
  audioContext = audioContext || new AudioContext();
  if (audioContext.state === "suspended") audioContext.resume();
  return audioContext;
}

let meterTimer = 0;
function meter(stream) {
  clearInterval(meterTimer);
  if (!stream.getAudioTracks().length) return;
  const analyser = context().createAnalyser();
  analyser.fftSize = 512;
  context().createMediaStreamSource(stream).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  meterTimer = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    let peak = 0;
    for (const s of samples) peak = Math.max(peak, Math.abs(s));
    $("mic-level").value = Math.min(1, peak);
    root.dataset.micLevel = peak.toFixed(3);
  }, 100);
}

function testTone() {
  const ctx = context();
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.frequency.value = 440;
  gain.gain.value = 0.2;
  osc.connect(gain).connect(ctx.destination);
  osc.start();
  osc.stop(ctx.currentTime + 1);
}

function rtcConfig() {
  const ice = state.ice || { ice_servers: [], ice_transport_policy: "all" };
  return {
    iceServers: ice.ice_servers.map((s) => ({ urls: s.urls, username: s.username, credential: s.credential })),
    iceTransportPolicy: ice.ice_transport_policy, bundlePolicy: "max-bundle",
  };
}

function gathered(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => { if (pc.iceGatheringState === "complete") resolve(); };
    pc.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, 5000);
  });
}

// A loop through the court's TURN relay (the ICE servers the join gave us): our own camera sent from
// one connection to another, both gathering as the hearing will. RTT, loss and bitrate after 3 s.
async function connectionTest() {
  const verdict = $("verdict");
  let result = null;
  verdict.textContent = word("testing");
  const a = new RTCPeerConnection(rtcConfig());
  const b = new RTCPeerConnection(rtcConfig());
  try {
    const track = state.stream && state.stream.getVideoTracks()[0];
    if (track) a.addTrack(track, state.stream); else a.addTransceiver("video", { direction: "sendonly" });
    a.createDataChannel("probe");
    await a.setLocalDescription(await a.createOffer());
    await gathered(a);
    await b.setRemoteDescription(a.localDescription);
    await b.setLocalDescription(await b.createAnswer());
    await gathered(b);
    await a.setRemoteDescription(b.localDescription);
    await new Promise((resolve, reject) => {
      const check = () => {
        if (a.connectionState === "connected") resolve();
        if (a.connectionState === "failed") reject(new Error("failed"));
      };
      a.addEventListener("connectionstatechange", check);
      setTimeout(() => reject(new Error("timeout")), 10000);
      check();
    });
    const first = await outbound(a);
    await new Promise((r) => setTimeout(r, 3000));
    const last = await outbound(a);
    const kbps = Math.round(((last.bytes - first.bytes) * 8) / 1000 / Math.max(0.001, (last.at - first.at)));
    result = { rtt_ms: Math.round(last.rtt * 1000), packet_loss: Math.min(1, last.loss), bitrate_kbps: kbps };
  } catch (error) {
    result = null;
  } finally {
    a.close();
    b.close();
  }
  // The court grades and keeps the check (for the clerk and the judge); the page shows its verdict.
  const stored = await storeCheck(result || {});
  const grade = stored ? stored.verdict : "failed";
  root.dataset.verdict = grade;
  if (grade === "failed" || !result) {
    verdict.textContent = word("test_failed");
  } else {
    verdict.textContent = `${word(`verdict_${grade}`)} ${word("measured", { rtt: result.rtt_ms, loss: `${(result.packet_loss * 100).toFixed(1)} %`, kbps: result.bitrate_kbps })}`;
  }
}

function chosenDevices() {
  const label = (tracks) => (tracks && tracks[0] ? tracks[0].label : "").slice(0, 200);
  return { camera: label(state.stream && state.stream.getVideoTracks()),
    microphone: label(state.stream && state.stream.getAudioTracks()) };
}

async function storeCheck(figures) {
  try {
    const response = await fetch(`/api/v1/hearings/${hearingId}/equipment-check`, {
      method: "PUT", credentials: "same-origin", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...figures, ...chosenDevices() }),
    });
    return response.ok ? await response.json() : null;
  } catch (error) {
    return null;
  }
}

async function outbound(pc) {
  const report = await pc.getStats();
  let bytes = 0; let rtt = 0; let lost = 0; let sent = 0;
  report.forEach((s) => {
    if (s.type === "outbound-rtp" && s.kind === "video") { bytes += s.bytesSent; sent += s.packetsSent; }
    if (s.type === "remote-inbound-rtp") lost += Math.max(0, s.packetsLost || 0);
    if (s.type === "candidate-pair" && s.nominated && s.currentRoundTripTime !== undefined) rtt = s.currentRoundTripTime;
  });
  return { bytes, rtt, loss: sent ? lost / (sent + lost) : 0, at: performance.now() / 1000 };
}


// ---- media with the relay -------------------------------------------------------------------

function slotCount() {
  const others = (state.hearing ? state.hearing.participants : [])
    .filter((p) => p.user_id !== state.you.user_id && p.listed && p.role !== "observer").length;
  return Math.max(1, Math.min(MAX_SLOTS, others));
}

async function startMedia() {
  if (state.inMedia || state.ended) return;
  state.inMedia = true;
  root.dataset.media = "connecting";
  const pc = new RTCPeerConnection(rtcConfig());
  state.pc = pc;
  if (publishes) {
    if (!state.stream) await openDevices();
    const audio = state.stream && state.stream.getAudioTracks()[0];
    const video = state.stream && state.stream.getVideoTracks()[0];
    if (audio) pc.addTransceiver(audio, { direction: "sendonly", streams: [state.stream] });
    if (video) state.videoSender = pc.addTransceiver(video, { direction: "sendonly", streams: [state.stream] }).sender;
  }
  const grid = $("grid");
  grid.replaceChildren();
  state.tiles = [];
  for (let slot = 0; slot < slotCount(); slot += 1) {
    const audio = pc.addTransceiver("audio", { direction: "recvonly" });
    const video = pc.addTransceiver("video", { direction: "recvonly" });
    state.tiles.push(makeTile(slot, audio, video));
  }
  pc.addEventListener("connectionstatechange", () => {
    root.dataset.pc = pc.connectionState;
    if (pc === state.pc && pc.connectionState === "failed") restartMedia();
  });
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  if (pc !== state.pc) return;
  state.offerAt = performance.now();
  const reply = await call("media_offer", { sdp: pc.localDescription.sdp });
  if (pc !== state.pc) return;
  if (!reply || !reply.ok) {
    state.inMedia = false;
    root.dataset.media = `refused:${reply && reply.error ? reply.error.code : ""}`;
    pc.close();
    state.pc = null;
    return;
  }
  state.answerAt = performance.now();
  await pc.setRemoteDescription(reply.answer);
  root.dataset.media = "negotiated";
  if (state.audioOnly) applyAudioOnly();
}

function makeTile(slot, audio, video) {
  const figure = document.createElement("figure");
  figure.className = "tile";
  figure.dataset.slot = String(slot);
  figure.hidden = true;
  const element = document.createElement("video");
  element.autoplay = true;
  element.playsInline = true;
  element.srcObject = new MediaStream([audio.receiver.track, video.receiver.track]);
  const caption = document.createElement("figcaption");
  figure.append(element, caption);
  $("grid").append(figure);
  const tile = { figure, video: element, caption, audio, transceiver: video, firstFrameAt: null };
  // When this slot's first frame was painted: how long joining takes to show people (support figures).
  element.requestVideoFrameCallback(() => { tile.firstFrameAt = performance.now(); });
  return tile;
}

function labelTile(slot) {
  const tile = state.tiles[slot];
  if (!tile) return;
  const userId = state.slotUser.get(slot);
  const person = state.hearing && userId != null ? state.hearing.participants.find((p) => p.user_id === userId) : null;
  tile.figure.hidden = userId == null;
  tile.figure.dataset.user = userId == null ? "" : String(userId);
  tile.caption.textContent = person ? `${person.name} — ${roles.get(person.role) || person.role}${person.hand_raised ? ` (${word("hand")})` : ""}` : "";
  tile.video.setAttribute("aria-label", tile.caption.textContent || "");
}

function teardown() {
  state.inMedia = false;
  if (state.pc) state.pc.close();
  state.pc = null;
  state.videoSender = null;
  state.slotUser.clear();
  for (const tile of state.tiles) {
    tile.video.srcObject = null;
    tile.figure.remove();
  }
  state.tiles = [];
}

async function restartMedia() {
  if (state.restarting) return;
  state.restarting = true;
  try {
    teardown();
    if (socket.connected && !state.ended) route();
  } finally {
    state.restarting = false;
  }
}

// ---- own controls -----------------------------------------------------------------------------

function setToggle(id, pressed, onWord, offWord) {
  const button = $(id);
  if (!button) return;
  button.setAttribute("aria-pressed", String(pressed));
  button.textContent = word(pressed ? onWord : offWord);
}

function applyAudioOnly() {
  for (const tile of state.tiles) tile.figure.dataset.audioOnly = String(state.audioOnly);
  // No renegotiation: the relay stops sending video into our slots (receive_video), and our own
  // sender just sends nothing, which frees the uplink too.
  const camera = state.stream && state.stream.getVideoTracks()[0];
  if (state.pc && state.videoSender) state.videoSender.replaceTrack(state.audioOnly ? null : camera);
  if (state.pc) {
    const pc = state.pc;
    call("receive_video", { on: !state.audioOnly }).then(async (reply) => {
      root.dataset.receiveVideo = reply && reply.ok ? String(reply.receive_video) : "unknown";
      if (state.audioOnly || pc !== state.pc) return;
      // Video back: if no picture arrives in a few seconds, a new offer (our way to recover) brings it.
      const before = await framesDecoded(pc);
      setTimeout(async () => {
        if (!state.audioOnly && pc === state.pc && before > 0 && await framesDecoded(pc) <= before) restartMedia();
      }, 5000);
    });
  }
}

async function framesDecoded(pc) {
  let frames = 0;
  (await pc.getStats()).forEach((s) => { if (s.type === "inbound-rtp" && s.kind === "video") frames += s.framesDecoded || 0; });
  return frames;
}

function wireControls() {
  const on = (id, handler) => { const node = $(id); if (node) node.addEventListener("click", handler); };
  on("tone", testTone);
  on("connection-test", connectionTest);
  on("check-done", () => {
    state.checked = true;
    if (!state.stream && publishes) openDevices();
    route();
  });
  for (const id of ["camera-select", "mic-select"]) {
    const node = $(id);
    if (node) node.addEventListener("change", () => openDevices($("camera-select").value, $("mic-select").value));
  }
  on("mic-toggle", () => {
    state.micOff = !state.micOff;
    state.stream.getAudioTracks().forEach((t) => { t.enabled = !state.micOff; });
    setToggle("mic-toggle", state.micOff, "unmute", "mute");
  });
  on("cam-toggle", () => {
    state.cameraOff = !state.cameraOff;
    state.stream.getVideoTracks().forEach((t) => { t.enabled = !state.cameraOff; });
    setToggle("cam-toggle", state.cameraOff, "camera_on", "camera_off");
  });
  on("hand-toggle", async () => {
    const reply = await call(state.handRaised ? "lower_hand" : "raise_hand");
    if (reply && reply.ok) state.handRaised = !state.handRaised;
    else banner(word("refused_action"), 4000);
    setToggle("hand-toggle", state.handRaised, "lower_hand", "raise_hand");
  });
  on("audio-only", () => {
    state.audioOnly = !state.audioOnly;
    setToggle("audio-only", state.audioOnly, "audio_only_off", "audio_only_on");
    applyAudioOnly();
  });
  $("chat-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("chat-text");
    const text = input.value.trim();
    if (!text) return;
    const waiting = root.dataset.phase === "waiting";
    const channel = waiting ? "staff" : ($("chat-channel") ? $("chat-channel").value : "all");
    const reply = await call("chat", { text, channel });
    if (reply && reply.ok) input.value = "";
    else banner(word("refused_action"), 4000);
  });
  document.querySelectorAll("[data-control]").forEach((button) => {
    button.addEventListener("click", async () => {
      const data = button.dataset.reason ? { reason: button.dataset.reason } : {};
      const reply = await call(button.dataset.control, data);
      // Closing or adjourning ends this socket too: the ended banner says why, not a lost reply.
      if ((!reply || !reply.ok) && !state.ended) banner(`${word("refused_action")} ${reply && reply.error ? reply.error.message : ""}`, 6000);
    });
  });
}

// ---- connection quality, from getStats, reported by heartbeat --------------------------------

async function sampleQuality() {
  const pc = state.pc;
  if (!pc || pc.connectionState !== "connected") return;
  const report = await pc.getStats();
  let received = 0; let lost = 0; let bytes = 0; let rtt = 0; let jitter = 0;
  report.forEach((s) => {
    if (s.type === "inbound-rtp") {
      received += s.packetsReceived || 0; lost += Math.max(0, s.packetsLost || 0); bytes += s.bytesReceived || 0;
      jitter = Math.max(jitter, s.jitter || 0);
    }
    if (s.type === "candidate-pair" && s.nominated && s.currentRoundTripTime !== undefined) rtt = s.currentRoundTripTime;
  });
  const last = state.lastInbound.get(pc) || { received: 0, lost: 0, bytes: 0, at: performance.now() };
  const now = performance.now();
  state.lastInbound.set(pc, { received, lost, bytes, at: now });
  const dr = received - last.received; const dl = lost - last.lost;
  const loss = dr + dl > 0 ? Math.max(0, dl) / (dr + dl) : 0;
  const kbps = Math.round(((bytes - last.bytes) * 8) / Math.max(1, now - last.at));
  const grade = loss >= 0.1 || rtt >= 1 ? "bad" : loss >= 0.03 || rtt >= 0.3 ? "okay" : "good";
  $("quality").textContent = word("quality", { verdict: word(`quality_${grade}`) });
  $("quality").dataset.grade = grade;
  state.lossyRounds = loss >= 0.1 ? state.lossyRounds + 1 : 0;
  if (state.lossyRounds === 2 && !state.audioOnly) banner(word("suggest_audio_only"));
  state.samples += 1;
  if (state.samples % 3 === 0) { // every 6 s: the bench's figures and alerts, without a write every sample
    call("heartbeat", { packet_loss: Math.min(1, loss), rtt_ms: Math.round(rtt * 1000), bitrate_kbps: kbps,
      jitter_ms: Math.round(jitter * 1000) });
  }
}

// ---- the bench ----------------------------------------------------------------------------------

const stats = new Map();
function onStats(report) {
  stats.set(report.user_id, report);
  renderBench();
}

function beep() {
  const ctx = context();
  const osc = ctx.createOscillator();
  osc.frequency.value = 880;
  osc.connect(ctx.destination);
  osc.start();
  osc.stop(ctx.currentTime + 0.3);
}

function onAlert(alert) {
  const list = $("alerts");
  if (!list) return;
  const item = document.createElement("li");
  item.textContent = word(`alert_${alert.kind}`, { name: alert.name || state.names.get(alert.user_id) || alert.user_id });
  item.dataset.kind = alert.kind;
  list.prepend(item);
  banner(item.textContent, 8000);
  beep();
}

const TARGET_ACTIONS = [["admit", "admit"], ["call", "call"], ["dismiss", "dismiss"], ["mute", "mute_target"],
  ["unmute", "unmute_target"], ["remove", "remove"]];

// Each person's equipment check, as they stored it (loaded once, then pushed as each is stored).
const checks = new Map();
async function loadChecks() {
  try {
    const response = await fetch(`/api/v1/hearings/${hearingId}/equipment-checks`, { credentials: "same-origin" });
    if (!response.ok) return;
    for (const check of (await response.json()).checks) if (!checks.has(check.user_id)) checks.set(check.user_id, check);
    renderBench();
  } catch (error) { /* the bench shows the checks pushed from now on */ }
}

function onCheck(check) {
  checks.set(check.user_id, check);
  renderBench();
}

function checkText(check) {
  if (!check) return word("check_none");
  const when = courtClock(check.checked_at, { hour: "2-digit", minute: "2-digit" });
  const devices = [check.camera, check.microphone].filter(Boolean).join(", ");
  const figures = check.rtt_ms === null ? "" : ` · ${Math.round(check.rtt_ms)} ms · ${(check.packet_loss * 100).toFixed(1)} % · ${Math.round(check.bitrate_kbps)} kbit/s`;
  return `${word(`check_${check.verdict}`)}${figures}${devices ? ` · ${devices}` : ""} · ${when}`;
}

// Only the steps the hearing's state allows now (the roster's `controls`, from the court's rules).
function showControls() {
  const allowed = new Set(state.hearing.controls || []);
  document.querySelectorAll("[data-control]").forEach((button) => { button.hidden = !allowed.has(button.dataset.control); });
  const actions = document.querySelector(".bench__actions");
  if (actions) actions.dataset.controls = [...allowed].join(" ");
}

function renderBench() {
  const body = $("bench-people");
  if (!body || !state.hearing) return;
  showControls();
  body.replaceChildren(...state.hearing.participants.filter((p) => p.user_id !== state.you.user_id).map((p) => {
    const row = document.createElement("tr");
    row.dataset.user = String(p.user_id);
    row.dataset.presence = p.presence;
    const cell = (text) => { const td = document.createElement("td"); td.textContent = text; row.append(td); return td; };
    cell(p.name + (p.hand_raised ? ` (${word("hand")})` : ""));
    cell(roles.get(p.role) || p.role);
    cell(presences.get(p.presence) || p.presence);
    cell(`${word(p.muted_audio ? "mic_off" : "mic_on")}, ${word(p.muted_video ? "cam_off" : "cam_on")}`);
    const s = stats.get(p.user_id);
    cell(s ? `${s.rtt_ms ?? "–"} ms · ${s.packet_loss !== undefined ? (s.packet_loss * 100).toFixed(1) : "–"} %` : "–");
    const check = checks.get(p.user_id);
    const checkCell = cell(checkText(check));
    checkCell.dataset.check = check ? check.verdict : "none";
    const actions = cell("");
    const allowed = new Set(p.controls || []);
    for (const [action, label] of TARGET_ACTIONS.filter(([name]) => allowed.has(name))) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button button--secondary bench__act";
      button.dataset.action = action;
      button.textContent = word(label);
      const hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = ` ${p.name}`;
      button.append(hidden);
      button.addEventListener("click", async () => {
        const data = { target: p.user_id };
        if (action === "remove") data.reason = word("remove_reason");
        const reply = await call(action, data);
        if ((!reply || !reply.ok) && !state.ended) banner(`${word("refused_action")} ${reply && reply.error ? reply.error.message : ""}`, 6000);
      });
      actions.append(button);
    }
    return row;
  }));
}

// ---- what a support person (and the tests) can read ----------------------------------------------

async function inbound() {
  const pc = state.pc;
  if (!pc) return [];
  const report = await pc.getStats();
  const rows = [];
  state.tiles.forEach((tile, slot) => {
    const row = { slot, user_id: state.slotUser.get(slot) ?? null, state: pc.connectionState,
      first_frame_ms: tile.firstFrameAt === null ? null : tile.firstFrameAt - state.offerAt,
      answer_ms: state.answerAt - state.offerAt, hidden: tile.figure.hidden };
    report.forEach((s) => {
      if (s.type !== "inbound-rtp") return;
      if (s.kind === "video" && s.mid === tile.transceiver.mid) {
        Object.assign(row, { frames_decoded: s.framesDecoded || 0, frame_width: s.frameWidth || 0,
          video_packets: s.packetsReceived || 0, frames_received: s.framesReceived || 0,
          keyframes_decoded: s.keyFramesDecoded || 0, plis_sent: s.pliCount || 0 });
      }
      if (s.kind === "audio" && s.mid === tile.audio.mid) {
        Object.assign(row, { audio_level: s.audioLevel || 0, audio_packets: s.packetsReceived || 0,
          audio_energy: s.totalAudioEnergy || 0 });
      }
    });
    rows.push(row);
  });
  return rows;
}
async function outboundVideo() {
  const pc = state.pc;
  const row = { frames_encoded: 0, frame_width: 0, candidate_type: null };
  if (!pc) return row;
  const report = await pc.getStats();
  report.forEach((s) => {
    if (s.type === "outbound-rtp" && s.kind === "video") {
      Object.assign(row, { frames_encoded: s.framesEncoded || 0, frame_width: s.frameWidth || 0 });
    }
    if (s.type === "transport" && s.selectedCandidatePairId) {
      const pair = report.get(s.selectedCandidatePairId);
      const local = pair && report.get(pair.localCandidateId);
      row.candidate_type = local ? local.candidateType : null;
    }
  });
  return row;
}
// Read-only figures for support (and the tests), and the page's own socket call — nothing a person
// could not already send from the browser's console; the server decides what each may do.
window.hearingRoom = Object.freeze({ inbound, outbound: outboundVideo, call });

wireControls();
show("check");
if (publishes) openDevices();
setInterval(sampleQuality, 2000);
