// EDS in the page: open a PKCS#12 key file with its password and sign bytes as CMS.
// node-forge decrypts the container (NCA key files use legacy 3DES / RC2-40 encryption that
// WebCrypto and pkijs cannot open); the private key goes straight into WebCrypto as a
// non-extractable key, and pkijs builds the CMS (forge mis-encodes Cyrillic issuer names).
// Nothing read from the file is ever sent anywhere: only the signature leaves the page.
// Only the parts of forge that open a key file (the full bundle carries TLS, SSH, HTTP...).
import forge from "node-forge/lib/forge.js";
import "node-forge/lib/asn1.js";
import "node-forge/lib/pbe.js";
import "node-forge/lib/pkcs12.js";
import "node-forge/lib/rsa.js";
import "node-forge/lib/x509.js";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";

import { EdsError } from "./errors.js";

export { EdsError };

const OID_DATA = "1.2.840.113549.1.7.1";
const OID_CONTENT_TYPE = "1.2.840.113549.1.9.3";
const OID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4";
const OID_SIGNING_TIME = "1.2.840.113549.1.9.5";

function bytesToBinary(bytes) {
  let out = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return out;
}

function binaryToBytes(binary) {
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function toBase64(bytes) {
  return btoa(bytesToBinary(new Uint8Array(bytes)));
}

export function fromBase64(text) {
  return binaryToBytes(atob(text));
}

/** Open a .p12 file: resolves to {privateKey (CryptoKey, non-extractable), certificate (DER bytes)}. */
export async function openKeyFile(fileBytes, password) {
  let asn1;
  try {
    asn1 = forge.asn1.fromDer(bytesToBinary(new Uint8Array(fileBytes)));
  } catch {
    throw new EdsError("key_file_invalid", "not a PKCS#12 key file");
  }
  let p12;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password);
  } catch (error) {
    const text = String(error && error.message);
    if (/MAC could not be verified|Invalid password|decrypt/i.test(text)) {
      throw new EdsError("key_password_wrong", "wrong password for this key file");
    }
    if (/OID|algorithm|unsupported/i.test(text)) {
      throw new EdsError("unsupported_algorithm", text);
    }
    throw new EdsError("key_file_invalid", text);
  }
  const keyBags = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] || []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] || []),
  ];
  const certBags = p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] || [];
  if (keyBags.length === 0 || certBags.length === 0) {
    throw new EdsError("key_file_invalid", "the key file holds no key or no certificate");
  }
  const keyBag = keyBags[0];
  if (!keyBag.key) {
    // forge leaves `key` empty for keys it cannot read (GOST): say so rather than "invalid file".
    throw new EdsError("unsupported_algorithm", "only RSA keys can be used in the browser; use NCALayer");
  }
  const certBag = pickCertificate(certBags, keyBag);
  const pkcs8 = forge.asn1.toDer(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keyBag.key))).getBytes();
  let privateKey;
  try {
    privateKey = await crypto.subtle.importKey(
      "pkcs8", binaryToBytes(pkcs8), { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
  } catch {
    throw new EdsError("unsupported_algorithm", "the browser cannot use this key");
  }
  if (!certBag.cert) throw new EdsError("unsupported_algorithm", "the certificate in this key file cannot be read");
  // forge keeps the certificate's parsed DER (its to-be-signed part and signature as read), so
  // this re-encoding is the issued certificate byte for byte; the server checks it against its CA.
  const certificate = binaryToBytes(forge.asn1.toDer(forge.pki.certificateToAsn1(certBag.cert)).getBytes());
  return { privateKey, certificate };
}

function pickCertificate(certBags, keyBag) {
  // The leaf whose localKeyId matches the key's; NCA files hold one certificate, others may add the chain.
  const keyId = keyBag.attributes && keyBag.attributes.localKeyId && keyBag.attributes.localKeyId[0];
  if (keyId) {
    const match = certBags.find((bag) => bag.attributes && bag.attributes.localKeyId
      && bag.attributes.localKeyId[0] === keyId);
    if (match) return match;
  }
  return certBags[0];
}

/** Sign `data` (bytes) with the opened key: a DER CMS SignedData, detached unless `attached`. */
export async function signCms(opened, data, { attached = false } = {}) {
  const certificate = pkijs.Certificate.fromBER(opened.certificate);
  const digest = await crypto.subtle.digest("SHA-256", data);
  const signedAttributes = new pkijs.SignedAndUnsignedAttributes({
    type: 0,
    attributes: [
      new pkijs.Attribute({ type: OID_CONTENT_TYPE, values: [new asn1js.ObjectIdentifier({ value: OID_DATA })] }),
      new pkijs.Attribute({ type: OID_SIGNING_TIME, values: [new asn1js.UTCTime({ valueDate: new Date() })] }),
      new pkijs.Attribute({ type: OID_MESSAGE_DIGEST, values: [new asn1js.OctetString({ valueHex: digest })] }),
    ],
  });
  const encapsulated = new pkijs.EncapsulatedContentInfo({ eContentType: OID_DATA });
  if (attached) encapsulated.eContent = new asn1js.OctetString({ valueHex: data });
  const signed = new pkijs.SignedData({
    version: 1,
    encapContentInfo: encapsulated,
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: certificate.issuer, serialNumber: certificate.serialNumber }),
        signedAttrs: signedAttributes,
      }),
    ],
    certificates: [certificate],
  });
  await signed.sign(opened.privateKey, 0, "SHA-256", attached ? undefined : data);
  const content = new pkijs.ContentInfo({ contentType: pkijs.ContentInfo.SIGNED_DATA, content: signed.toSchema(true) });
  return new Uint8Array(content.toSchema().toBER(false));
}
