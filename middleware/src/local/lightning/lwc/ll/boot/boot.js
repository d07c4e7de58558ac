/* global document, window */
/**
 * Starts a Lightning Local page. The server renders the page (SLDS markup) with placeholders; this
 * module puts the package's components into them, opens quick actions in a modal, shows toasts and
 * runs refreshes, which the Lightning Experience container does in a real org.
 *
 * - `<div data-ll-component="c-deal-closure-timeline" data-record-id="…">`: a component, with recordId.
 * - `<button data-ll-quick-action="c-close-deal" data-record-id="…" data-label="Close Deal">`: a screen
 *   quick action, opened in a modal that closes on CloseActionScreenEvent, Escape or its close button.
 */
import { createElement } from 'lwc';
import { REFRESH_EVENT, refreshAll } from 'lightning/refresh';
import { SHOW_TOAST_EVENT } from 'lightning/platformShowToastEvent';
import { CLOSE_SCREEN_EVENT } from 'lightning/actions';

const ASSETS = '/lightning/assets';
const TOAST_MS = 5000;
const STICKY_VARIANTS = new Set(['error', 'warning']);

function create(components, tag, recordId) {
  const ctor = components[tag];
  if (!ctor) {
    throw new Error(`Lightning Local has no component <${tag}>`);
  }
  const element = createElement(tag, { is: ctor });
  if (recordId) {
    element.recordId = recordId;
  }
  return element;
}

function svgIcon(sprite, name, className) {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('class', className);
  svg.setAttribute('aria-hidden', 'true');
  const use = document.createElementNS('http://www.w3.org/2000/svg', 'use');
  use.setAttribute('href', `${ASSETS}/icons/${sprite}-sprite/svg/symbols.svg#${name}`);
  svg.appendChild(use);
  return svg;
}

function closeButton(label, className) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = className;
  button.title = label;
  button.appendChild(svgIcon('utility', 'close', 'slds-button__icon slds-button__icon_large'));
  const text = document.createElement('span');
  text.className = 'slds-assistive-text';
  text.textContent = label;
  button.appendChild(text);
  return button;
}

/** A screen quick action in an SLDS modal; focus returns to the button that opened it. */
function openQuickAction(components, trigger) {
  const section = document.createElement('section');
  section.className = 'slds-modal slds-fade-in-open';
  section.setAttribute('role', 'dialog');
  section.setAttribute('aria-modal', 'true');
  section.setAttribute('aria-label', trigger.dataset.label || trigger.textContent.trim());
  section.tabIndex = -1;
  const container = document.createElement('div');
  container.className = 'slds-modal__container';
  const dismiss = closeButton(
    'Cancel and close',
    'slds-button slds-button_icon slds-modal__close slds-button_icon-inverse',
  );
  const action = create(components, trigger.dataset.llQuickAction, trigger.dataset.recordId);
  container.append(dismiss, action);
  section.appendChild(container);
  const backdrop = document.createElement('div');
  backdrop.className = 'slds-backdrop slds-backdrop_open';
  backdrop.setAttribute('role', 'presentation');

  const close = () => {
    section.remove();
    backdrop.remove();
    document.removeEventListener('keydown', onKey);
    trigger.focus();
  };
  const onKey = (event) => {
    if (event.key === 'Escape') {
      close();
    }
  };
  dismiss.addEventListener('click', close);
  action.addEventListener(CLOSE_SCREEN_EVENT, close);
  document.addEventListener('keydown', onKey);
  document.body.append(section, backdrop);
  section.focus();
}

function toastText(toast) {
  const fill = (text) =>
    String(text || '').replace(/\{(\d+)\}/g, (match, index) => {
      const data = (toast.messageData || [])[Number(index)];
      if (data === undefined) {
        return match;
      }
      return typeof data === 'object' ? data.label || '' : String(data);
    });
  return { title: fill(toast.title), message: fill(toast.message) };
}

function showToast(toast) {
  const region = document.getElementById('ll-toasts');
  if (!region) {
    return;
  }
  const variant = ['success', 'warning', 'error', 'info'].includes(toast.variant) ? toast.variant : 'info';
  const { title, message } = toastText(toast);
  const item = document.createElement('div');
  item.className = `slds-notify slds-notify_toast slds-theme_${variant}`;
  item.setAttribute('role', variant === 'error' ? 'alert' : 'status');
  item.dataset.variant = variant;
  const assistive = document.createElement('span');
  assistive.className = 'slds-assistive-text';
  assistive.textContent = variant;
  const content = document.createElement('div');
  content.className = 'slds-notify__content';
  const heading = document.createElement('h2');
  heading.className = 'slds-text-heading_small';
  heading.textContent = title;
  content.appendChild(heading);
  if (message) {
    const body = document.createElement('p');
    body.textContent = message;
    content.appendChild(body);
  }
  const dismiss = closeButton('Close', 'slds-button slds-button_icon slds-button_icon-inverse');
  const close = document.createElement('div');
  close.className = 'slds-notify__close';
  close.appendChild(dismiss);
  item.append(assistive, content, close);
  dismiss.addEventListener('click', () => item.remove());
  region.appendChild(item);
  const sticky = toast.mode === 'sticky' || (toast.mode !== 'pester' && STICKY_VARIANTS.has(variant));
  if (!sticky) {
    window.setTimeout(() => item.remove(), TOAST_MS);
  }
}

export function boot(components) {
  document.querySelectorAll('[data-ll-component]').forEach((placeholder) => {
    placeholder.appendChild(
      create(components, placeholder.dataset.llComponent, placeholder.dataset.recordId),
    );
  });
  document.querySelectorAll('[data-ll-quick-action]').forEach((trigger) => {
    trigger.disabled = false;
    trigger.addEventListener('click', () => openQuickAction(components, trigger));
  });
  document.addEventListener(SHOW_TOAST_EVENT, (event) => showToast(event.detail || {}));
  document.addEventListener(REFRESH_EVENT, () => {
    refreshAll();
  });
  document.documentElement.dataset.llReady = 'true';
}
