// The person at the browser, scripted: follows the authorization URL with fetch (cookies kept, redirects
// followed one by one), fills oidc-provider's login form, approves or declines its consent page, and
// confirms a device code at its verification page. What it submits is what a browser would submit
// from those pages' forms.

/** How the person answers the consent page. */
export type Consent = "approve" | "decline";

/** What the browser ended on. */
export interface BrowserOutcome {
  /** The last URL fetched. */
  readonly url: string;
  /** Its status. */
  readonly status: number;
  /** Its body. */
  readonly body: string;
}

/** A scripted person who signs in as `login`. */
export class ScriptedPerson {
  readonly login: string;
  /** The URLs this person was asked to open (authorization URLs), in order. */
  readonly opened: string[] = [];
  readonly #cookies = new Map<string, string>();
  consent: Consent = "approve";

  /** @param login the login name (the account's `sub`) */
  constructor(login: string) {
    this.login = login;
  }

  /**
   * Opens the authorization URL and goes through login and consent until the browser lands on the
   * redirect URI (which the sign-in's listener answers) or a page with no form.
   * @param url the authorization URL
   */
  async signIn(url: string): Promise<BrowserOutcome> {
    this.opened.push(url);
    return await this.#browse(url, { method: "GET" });
  }

  /**
   * Opens the device flow's verification page with the code filled in, confirms it, signs in and consents.
   * @param verificationUriComplete the page with the user code
   */
  async approveDevice(verificationUriComplete: string): Promise<BrowserOutcome> {
    this.opened.push(verificationUriComplete);
    return await this.#browse(verificationUriComplete, { method: "GET" });
  }

  async #browse(start: string, request: { method: string; body?: URLSearchParams }): Promise<BrowserOutcome> {
    let url = start;
    let next: { method: string; body?: URLSearchParams } | undefined = request;
    for (let step = 0; step < 30 && next; step++) {
      const response = await fetch(url, {
        method: next.method,
        body: next.body,
        redirect: "manual",
        headers: { cookie: this.#cookieHeader() },
      });
      for (const cookie of response.headers.getSetCookie()) this.#keep(cookie);
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        url = new URL(location, url).href;
        next = { method: "GET" };
        continue;
      }
      const body = await response.text();
      const form = this.#decide(body, url);
      if (!form) return { url, status: response.status, body };
      url = form.url;
      next = { method: form.method, body: form.body };
    }
    throw new Error(`the scripted person got lost at ${url}`);
  }

  // What the person does on a page: the form they submit, or a link they follow (decline).
  #decide(
    html: string,
    pageUrl: string,
  ): { url: string; method: string; body?: URLSearchParams } | undefined {
    const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html) ??
      /<form[^>]*>([\s\S]*?)<\/form>/i.exec(html);
    if (!form) return undefined;
    const inputs = new URLSearchParams();
    const body = form.length === 3 ? form[2] : form[1];
    for (const input of body.matchAll(/<input([^>]*)>/gi)) {
      const name = /name="([^"]*)"/.exec(input[1])?.[1];
      const value = /value="([^"]*)"/.exec(input[1])?.[1] ?? "";
      if (name) inputs.set(name, unescapeHtml(value));
    }
    if (inputs.get("prompt") === "login") {
      inputs.set("login", this.login);
      inputs.set("password", "any password: the development login page accepts any");
    }
    if (inputs.get("prompt") === "consent" && this.consent === "decline") {
      const abort = /href="([^"]*\/abort)"/.exec(html)?.[1];
      if (!abort) throw new Error("no abort link on the consent page");
      return { url: new URL(unescapeHtml(abort), pageUrl).href, method: "GET" };
    }
    const action = form.length === 3 ? unescapeHtml(form[1]) : pageUrl;
    return { url: new URL(action, pageUrl).href, method: "POST", body: inputs };
  }

  #cookieHeader(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  #keep(setCookie: string): void {
    const [pair] = setCookie.split(";");
    const at = pair.indexOf("=");
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    if (/expires=Thu, 01 Jan 1970/i.test(setCookie) || value === "") this.#cookies.delete(name);
    else this.#cookies.set(name, value);
  }
}

function unescapeHtml(text: string): string {
  return text.replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">").replace(/&#x2F;/g, "/");
}
