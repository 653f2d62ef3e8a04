// NCALayer: the desktop signer people in Kazakhstan run, answering on a local WebSocket.
// The page only offers it when it answers; the key stays inside NCALayer and it returns a CMS.
import { EdsError } from "./errors.js";

const STORAGES = ["PKCS12", "AKKZIDCardStore", "AKKaztokenStore", "AKEToken72KStore", "AKJaCartaStore"];
export const EKU_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
export const EKU_EMAIL_PROTECTION = "1.3.6.1.5.5.7.3.4";

function connect(url, timeoutMs) {
  return new Promise((resolve, reject) => {
    let socket;
    try {
      socket = new WebSocket(url);
    } catch {
      reject(new EdsError("ncalayer_unavailable", "NCALayer is not reachable"));
      return;
    }
    const timer = setTimeout(() => {
      socket.close();
      reject(new EdsError("ncalayer_unavailable", "NCALayer did not answer"));
    }, timeoutMs);
    socket.addEventListener("open", () => { clearTimeout(timer); resolve(socket); }, { once: true });
    socket.addEventListener("error", () => {
      clearTimeout(timer);
      reject(new EdsError("ncalayer_unavailable", "NCALayer is not reachable"));
    }, { once: true });
  });
}

/** True when NCALayer answers at `url`. */
export async function probe(url, timeoutMs = 2000) {
  try {
    const socket = await connect(url, timeoutMs);
    socket.close();
    return true;
  } catch {
    return false;
  }
}

function nextReply(socket) {
  // NCALayer greets each connection with its version ({"result": {"version": ...}}) before any answer.
  return new Promise((resolve, reject) => {
    const onMessage = (event) => {
      let reply;
      try {
        reply = JSON.parse(event.data);
      } catch {
        return;
      }
      if (reply && reply.result && reply.result.version && reply.status === undefined) return;
      socket.removeEventListener("message", onMessage);
      resolve(reply);
    };
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", () => reject(new EdsError("ncalayer_failed", "NCALayer closed the connection")),
      { once: true });
  });
}

/** Ask NCALayer to sign base64 data as CMS with a key of the given extended key usage. */
export async function signWithNCALayer(url, dataBase64, { eku, attached = false, locale = "ru" }) {
  const socket = await connect(url, 5000);
  try {
    const reply = nextReply(socket);
    socket.send(JSON.stringify({
      module: "kz.gov.pki.knca.basics",
      method: "sign",
      args: {
        allowedStorages: STORAGES,
        format: "cms",
        data: dataBase64,
        signingParams: { decode: true, encapsulate: attached, digested: false, tsaProfile: {} },
        signerParams: { extKeyUsageOids: [eku], chain: [] },
        locale,
      },
    }));
    const answer = await reply;
    if (!answer || answer.status === false) {
      throw new EdsError("ncalayer_failed", (answer && (answer.message || answer.code)) || "NCALayer refused");
    }
    const result = answer.body && answer.body.result;
    const cms = Array.isArray(result) ? result[0] : result;
    if (!cms) throw new EdsError("ncalayer_cancelled", "signing was cancelled in NCALayer");
    return cms;
  } finally {
    socket.close();
  }
}
