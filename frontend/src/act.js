// Issuing a judicial act: the judge's SIGN key file is opened in this page, the act's file is
// signed here as a detached CMS (the API's format for every document), and the file and the
// signature are posted to the acts API. The key and its password never leave the page.
import { EdsError } from "./errors.js";

const signer = () => import("./eds.js");

const form = document.getElementById("act-form");
const summary = document.getElementById("error-summary");
const status = document.getElementById("act-status");
const ending = document.getElementById("ending");
const messages = new Map(
  [...document.getElementById("act-messages").content.querySelectorAll("[data-code]")]
    .map((node) => [node.dataset.code, node.textContent.trim()]));

// Which field a refusal belongs to; anything else is about the act as a whole (its kind).
const FIELDS = {
  key_file_missing: "key-file", key_file_invalid: "key-file", unsupported_algorithm: "key-file",
  key_password_wrong: "key-password", password_missing: "key-password",
  wrong_key_usage: "key-file", certificate_expired: "key-file", certificate_revoked: "key-file",
  certificate_untrusted: "key-file", certificate_not_yet_valid: "key-file", revocation_unknown: "key-file",
  signer_not_allowed: "key-file", document_signature_invalid: "key-file", signature_invalid: "key-file",
  malformed_signature: "key-file", signature_required: "key-file",
  document_missing: "act-file", document_too_large: "act-file", unsupported_document_type: "act-file",
  damaged_document: "act-file", document_empty: "act-file", document_type_mismatch: "act-file",
  upload_invalid: "act-file", title_missing: "act-title", invalid_termination_ground: "termination-ground",
  reason_required: "act-reason",
};

function message(code) {
  return messages.get(code) || messages.get("unknown");
}

function clearErrors() {
  summary.hidden = true;
  summary.querySelector("ul").replaceChildren();
  for (const group of form.querySelectorAll(".form-group--error")) group.classList.remove("form-group--error");
  for (const node of form.querySelectorAll(".error-message")) { node.hidden = true; node.textContent = ""; }
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
}

function showErrors(codes) {
  const list = summary.querySelector("ul");
  for (const code of codes) {
    const target = FIELDS[code] || "act-kind";
    const text = message(code);
    const link = document.createElement("a");
    link.href = `#${target}`;
    link.textContent = text;
    link.dataset.code = code;
    const item = document.createElement("li");
    item.append(link);
    list.append(item);
    const inline = document.getElementById(`${target}-error`);
    if (inline) {
      inline.textContent = text;
      inline.hidden = false;
      const group = inline.closest(".form-group");
      if (group) group.classList.add("form-group--error");
      const input = document.getElementById(target);
      if (input && input.matches("input, select, textarea")) input.setAttribute("aria-invalid", "true");
    }
  }
  status.textContent = "";
  summary.hidden = false;
  summary.focus();
}

function kind() {
  const [actType, outcome] = form.querySelector("input[name=kind]:checked").value.split(":");
  return { actType, outcome };
}

form.addEventListener("change", () => { ending.hidden = kind().outcome !== "terminate"; });

async function post(fields) {
  let response;
  try {
    response = await fetch(form.dataset.api, { method: "POST", credentials: "same-origin", body: fields,
      headers: { Accept: "application/json" } });
  } catch {
    throw new EdsError("network_error", "the court's server did not answer");
  }
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = payload.error || {};
    throw new EdsError(error.code || "unknown", error.message || response.statusText);
  }
  return payload;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors();
  const file = document.getElementById("act-file").files[0];
  const keyFile = document.getElementById("key-file").files[0];
  const password = document.getElementById("key-password");
  const title = document.getElementById("act-title").value.trim();
  const errors = [];
  if (!title) errors.push("title_missing");
  if (!file) errors.push("document_missing");
  if (!keyFile) errors.push("key_file_missing");
  if (!password.value) errors.push("password_missing");
  if (errors.length) {
    showErrors(errors);
    return;
  }
  const button = document.getElementById("act-button");
  button.disabled = true;
  status.textContent = message("signing");
  try {
    const eds = await signer();
    const opened = await eds.openKeyFile(await keyFile.arrayBuffer(), password.value);
    const bytes = new Uint8Array(await file.arrayBuffer());
    const signature = await eds.signCms(opened, bytes);
    const { actType, outcome } = kind();
    const fields = new FormData();
    fields.append("act_type", actType);
    fields.append("outcome", outcome);
    fields.append("title", title);
    if (outcome === "terminate") {
      const ground = document.getElementById("termination-ground").value;
      if (ground) fields.append("termination_ground", ground);
      fields.append("reason", document.getElementById("act-reason").value.trim());
    }
    fields.append("signature", eds.toBase64(signature));
    fields.append("file", new Blob([bytes], { type: file.type || "application/pdf" }), file.name);
    await post(fields);
    window.location.assign(form.dataset.done);
  } catch (error) {
    password.value = "";
    if (!(error instanceof EdsError)) console.error(error);
    showErrors([error instanceof EdsError ? error.code : "unknown"]);
  } finally {
    button.disabled = false;
  }
});
