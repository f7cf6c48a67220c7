// Helpers of the live pages (live-pages.js), without side effects: fetch a page's HTML
// again and swap the parts that changed, the server's HTML staying the truth.

/**
 * The document at ``url``, fetched as htmx would (so an ended session answers
 * HX-Redirect to the login page, and an error answers a short sentence), or
 * null when it could not be had: the page keeps what it shows.
 */
export async function fetchDocument(url) {
  let response;
  try {
    response = await fetch(url, {
      headers: { "HX-Request": "true", "HX-Current-URL": window.location.href },
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    return null; // offline, or the site is down: the next event or poll tries again
  }
  const redirect = response.headers.get("HX-Redirect");
  if (redirect) {
    window.location.assign(redirect);
    return null;
  }
  if (!response.ok) return null;
  return new DOMParser().parseFromString(await response.text(), "text/html");
}

/**
 * Put ``fresh`` (a node of a fetched document) in place of ``current``. htmx does the
 * swap when it is there, so the new HTML settles as any htmx swap does: its hx-
 * attributes work and site.js shows its times in the member's zone.
 */
export function swapPart(current, fresh) {
  if (!current || !fresh) return;
  if (window.htmx?.swap) {
    window.htmx.swap(current, fresh.outerHTML, {
      swapStyle: "outerHTML",
      swapDelay: 0,
      settleDelay: 0,
    });
  } else {
    current.replaceWith(document.importNode(fresh, true));
  }
}

/** Replace the children of ``current`` with those of ``fresh`` (as htmx's innerHTML). */
export function fillPart(current, fresh) {
  if (!current || !fresh) return;
  if (window.htmx?.swap) {
    window.htmx.swap(current, fresh.innerHTML, {
      swapStyle: "innerHTML",
      swapDelay: 0,
      settleDelay: 0,
    });
  } else {
    current.replaceChildren(...[...fresh.childNodes].map((node) => document.importNode(node, true)));
  }
}

/** Swap each part (by id) that both the page and ``fresh`` have. */
export function swapParts(fresh, ids) {
  for (const id of ids) swapPart(document.getElementById(id), fresh.getElementById(id));
}

/**
 * ``fn`` run once per burst: calls within ``ms`` of each other make one run, and a
 * call during a run makes one more run after it (never two fetches at once).
 */
export function coalesce(fn, ms = 150) {
  let timer = null;
  let running = null;
  let again = false;
  const run = async () => {
    timer = null;
    if (running) {
      again = true;
      return;
    }
    running = (async () => fn())();
    try {
      await running;
    } finally {
      running = null;
      if (again) {
        again = false;
        schedule();
      }
    }
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
  return schedule;
}

/** Say ``text`` to screen readers through the polite region ``id`` (if the page has it). */
export function announce(id, text) {
  const region = document.getElementById(id);
  if (region && text) region.textContent = text;
}
