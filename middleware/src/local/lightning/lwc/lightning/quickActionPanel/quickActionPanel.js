import { LightningElement, api } from 'lwc';

/**
 * `lightning-quick-action-panel` in Lightning Local (lightning-base-components does not ship it):
 * the SLDS modal header, body and footer a screen quick action renders in.
 */
export default class QuickActionPanel extends LightningElement {
  @api header;
}
