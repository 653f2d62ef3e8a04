// The filing wizard's pages: IIN/BIN checked as typed, the state duty quoted as the claim is
// typed, and documents signed in the page with the SIGN key and uploaded with a progress bar.
// Every page works as a plain form without this module except signing, which needs the key here.
import { EdsError } from "./errors.js";
import { identifierProblem } from "./identifiers.js";

// The key-file signer (forge + pkijs) loads only when someone signs.
const signer = () => import("./eds.js");

function messagesOf(id) {
  const template = document.getElementById(id);
  if (!template) return new Map();
  return new Map([...template.content.querySelectorAll("[data-code]")]
    .map((node) => [node.dataset.code, node.textContent.trim()]));
}

function showFieldError(id, text) {
  const input = document.getElementById(id);
  const inline = document.getElementById(`${id}-error`);
  const group = inline && inline.closest(".form-group");
  if (inline) {
    inline.textContent = text || "";
    inline.hidden = !text;
  }
  if (group) group.classList.toggle("form-group--error", Boolean(text));
  if (input) {
    if (text) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
}

// Parties: the number is checked when the person leaves the field or has typed all 12 digits.
function watchIdentifier() {
  const input = document.getElementById("identifier");
  if (!input) return;
  const words = messagesOf("identifier-messages");
  const check = (final) => {
    const digits = input.value.replace(/\s/g, "");
    if (!digits) { showFieldError("identifier", ""); return; }
    if (!final && digits.length < 12) return;
    // The person's own IIN came from their verified certificate and is taken as is by the server
    // (the NCA's test IINs fail the check digit), so it is never flagged here either.
    const own = input.form && input.form.dataset.ownIin;
    const problem = digits === own ? null : identifierProblem(input.value);
    showFieldError("identifier", problem ? words.get(problem) : "");
  };
  input.addEventListener("input", () => check(false));
  input.addEventListener("blur", () => check(true));
}

// Claim: the fee quote API answers as the kind, the payer and the amount change.
function watchFee() {
  const form = document.getElementById("claim-form");
  const fee = document.getElementById("fee");
  if (!form || !fee) return;
  const words = messagesOf("fee-messages");
  let timer = null;
  let asked = 0;
  const quote = async () => {
    const claimKind = form.querySelector("input[name=claim_kind]:checked");
    const payerKind = form.querySelector("input[name=payer_kind]:checked");
    if (!claimKind || !payerKind) return;
    const query = new URLSearchParams({ case_kind: form.dataset.caseKind, filing_type: form.dataset.filingType,
      claim_kind: claimKind.value, payer_kind: payerKind.value });
    const amount = document.getElementById("claim_amount").value.trim();
    if (amount) query.set("claim_amount", amount);
    const documents = (document.getElementById("copy_documents") || { value: "" }).value.trim();
    const pages = (document.getElementById("copy_pages") || { value: "" }).value.trim();
    if (claimKind.value === "copy_reissue") {
      if (documents) query.set("documents", documents);
      if (pages) query.set("pages", pages);
    }
    const mine = ++asked;
    let text;
    try {
      const response = await fetch(`/api/v1/fees/quote?${query}`, { headers: { Accept: "application/json" } });
      const body = await response.json();
      if (response.ok) text = body.explanation[form.dataset.lang] || body.amount_text;
      else {
        const code = body.error && body.error.code;
        text = words.get(code === "invalid_claim_amount" ? "claim_amount" : code) || words.get("unknown");
      }
    } catch {
      text = words.get("unknown");
    }
    if (mine === asked) fee.textContent = text;  // an older answer never overwrites a newer one
  };
  const soon = () => { clearTimeout(timer); timer = setTimeout(quote, 300); };
  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
}

// Documents: sign the file's exact bytes as detached CMS, then upload both with progress.
function upload(url, body, progress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", url);
    request.setRequestHeader("Accept", "application/json");
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) progress(Math.round((event.loaded / event.total) * 100));
    });
    request.addEventListener("load", () => {
      let payload = {};
      try { payload = JSON.parse(request.responseText); } catch { /* not JSON: said as unknown */ }
      if (request.status === 201) resolve(payload);
      else reject(new EdsError((payload.error && payload.error.code) || "unknown", request.statusText));
    });
    request.addEventListener("error", () => reject(new EdsError("network_error", "no answer")));
    request.send(body);
  });
}

function watchUpload() {
  const form = document.getElementById("upload-form");
  if (!form) return;
  const words = messagesOf("upload-messages");
  const summary = document.getElementById("error-summary");
  const status = document.getElementById("upload-status");
  const bar = document.getElementById("upload-progress");
  const barGroup = document.getElementById("upload-progress-group");
  const fields = { file: "document-file", key: "sign-key", password: "sign-password" };
  const fieldOf = (code) => ({ document_missing: fields.file, key_file_missing: fields.key,
    password_missing: fields.password, key_password_wrong: fields.password, key_file_invalid: fields.key,
    unsupported_algorithm: fields.key, wrong_key_usage: fields.key, signer_not_allowed: fields.key,
    certificate_expired: fields.key, certificate_revoked: fields.key, certificate_untrusted: fields.key,
    certificate_not_yet_valid: fields.key })[code] || fields.file;

  const clear = () => {
    summary.hidden = true;
    summary.querySelector("ul").replaceChildren();
    for (const id of Object.values(fields)) showFieldError(id, "");
  };
  const show = (codes) => {
    const list = summary.querySelector("ul");
    for (const code of codes) {
      const text = words.get(code) || words.get("unknown");
      const field = fieldOf(code);
      const link = document.createElement("a");
      link.href = `#${field}`;
      link.textContent = text;
      link.dataset.code = code;
      const item = document.createElement("li");
      item.append(link);
      list.append(item);
      showFieldError(field, text);
    }
    status.textContent = "";
    summary.hidden = false;
    summary.focus();
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clear();
    const file = document.getElementById(fields.file).files[0];
    const key = document.getElementById(fields.key).files[0];
    const password = document.getElementById(fields.password);
    const missing = [];
    if (!file) missing.push("document_missing");
    if (!key) missing.push("key_file_missing");
    if (!password.value) missing.push("password_missing");
    if (missing.length) { show(missing); return; }
    const button = document.getElementById("upload-button");
    button.disabled = true;
    status.textContent = words.get("signing");
    try {
      const eds = await signer();
      const opened = await eds.openKeyFile(await key.arrayBuffer(), password.value);
      const bytes = new Uint8Array(await file.arrayBuffer());
      const signature = eds.toBase64(await eds.signCms(opened, bytes));
      const body = new FormData();
      body.append("kind", document.getElementById("document-kind").value);
      body.append("title", file.name);
      body.append("file", file, file.name);
      body.append("signature", signature);
      status.textContent = words.get("uploading");
      bar.value = 0;
      barGroup.hidden = false;
      await upload(form.dataset.upload, body, (percent) => { bar.value = percent; });
      bar.value = 100;
      status.textContent = words.get("uploaded");
      window.location.assign(form.dataset.next);
    } catch (error) {
      if (!(error instanceof EdsError)) console.error(error);
      show([error instanceof EdsError ? error.code : "unknown"]);
      barGroup.hidden = true;
    } finally {
      password.value = "";
      button.disabled = false;
    }
  });
}

watchIdentifier();
watchFee();
watchUpload();
