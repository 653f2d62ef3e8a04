// The login page: sign the server's challenge with the AUTH key and exchange it for a session.
// Two ways, as on office.sud.kz: a key file opened in the page, or NCALayer when it answers.
import { EdsError } from "./errors.js";
import { EKU_CLIENT_AUTH, probe, signWithNCALayer } from "./ncalayer.js";

// The key-file signer (forge + pkijs, ~140 KiB gzipped) loads only when someone uses it.
const signer = () => import("./eds.js");

const form = document.getElementById("login-form");
const fileInput = document.getElementById("key-file");
const passwordInput = document.getElementById("key-password");
const summary = document.getElementById("error-summary");
const status = document.getElementById("login-status");
const messages = new Map(
  [...document.getElementById("login-messages").content.querySelectorAll("[data-code]")]
    .map((node) => [node.dataset.code, node.textContent.trim()]));

function message(code) {
  return messages.get(code) || messages.get("unknown");
}

function clearErrors() {
  summary.hidden = true;
  summary.querySelector("ul").replaceChildren();
  for (const group of form.querySelectorAll(".form-group--error")) group.classList.remove("form-group--error");
  for (const node of form.querySelectorAll(".error-message")) { node.hidden = true; node.textContent = ""; }
  for (const input of [fileInput, passwordInput]) input.removeAttribute("aria-invalid");
}

function showErrors(errors) {
  // GOV.UK error summary: a list of links to each field, focused so screen readers read it first.
  const list = summary.querySelector("ul");
  for (const { code, field } of errors) {
    const text = message(code);
    const item = document.createElement("li");
    const target = field || (code.startsWith("ncalayer") ? "ncalayer-sign" : "key-file");
    const link = document.createElement("a");
    link.href = `#${target}`;
    link.textContent = text;
    link.dataset.code = code;
    item.append(link);
    list.append(item);
    const input = document.getElementById(target);
    const inline = document.getElementById(`${target}-error`);
    if (inline) {
      inline.textContent = text;
      inline.hidden = false;
      const group = inline.closest(".form-group");
      if (group) group.classList.add("form-group--error");
      if (input && input.tagName === "INPUT") input.setAttribute("aria-invalid", "true");
    }
  }
  status.textContent = "";
  summary.hidden = false;
  summary.focus();
}

async function postJson(url, body) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body || {}),
    });
  } catch {
    throw new EdsError("network_error", "the court's server did not answer");
  }
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) {
    const code = (payload.error && payload.error.code) || "unknown";
    throw new EdsError(code, (payload.error && payload.error.message) || response.statusText);
  }
  return payload;
}

async function logIn(sign) {
  const { nonce } = await postJson("/api/v1/auth/challenge");
  const signature = await sign(nonce);
  await postJson("/api/v1/auth/login", { nonce, signature });
  status.textContent = message("logged_in");
  window.location.assign(form.dataset.next || "/");
}

function busy(on) {
  for (const button of document.querySelectorAll("button")) button.disabled = on;
  if (on) status.textContent = message("signing");
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors();
  const errors = [];
  if (!fileInput.files || fileInput.files.length === 0) errors.push({ code: "key_file_missing", field: "key-file" });
  if (!passwordInput.value) errors.push({ code: "password_missing", field: "key-password" });
  if (errors.length) {
    showErrors(errors);
    return;
  }
  busy(true);
  try {
    const eds = await signer();
    const opened = await eds.openKeyFile(await fileInput.files[0].arrayBuffer(), passwordInput.value);
    await logIn(async (nonce) => eds.toBase64(await eds.signCms(opened, eds.fromBase64(nonce))));
  } catch (error) {
    passwordInput.value = "";
    if (!(error instanceof EdsError)) console.error(error);
    const code = error instanceof EdsError ? error.code : "unknown";
    const field = code === "key_password_wrong" ? "key-password" : "key-file";
    showErrors([{ code, field }]);
  } finally {
    busy(false);
  }
});

const ncaLayerUrl = form.dataset.ncalayer;
const ncaLayerBox = document.getElementById("ncalayer");
if (ncaLayerUrl && ncaLayerBox) {
  probe(ncaLayerUrl).then((present) => {
    if (!present) return;
    ncaLayerBox.hidden = false;
    document.getElementById("ncalayer-sign").addEventListener("click", async () => {
      clearErrors();
      busy(true);
      try {
        await logIn((nonce) => signWithNCALayer(ncaLayerUrl, nonce, {
          eku: EKU_CLIENT_AUTH, locale: document.documentElement.lang || "ru" }));
      } catch (error) {
        showErrors([{ code: error instanceof EdsError ? error.code : "unknown", field: "ncalayer-sign" }]);
      } finally {
        busy(false);
      }
    });
  });
}
