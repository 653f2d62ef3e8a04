// A refusal with a stable code; the page shows the message for the code in the person's language.
export class EdsError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}
