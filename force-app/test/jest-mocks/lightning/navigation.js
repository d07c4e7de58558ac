/**
 * Mock of lightning/navigation: NavigationMixin records the page references it is asked to navigate to.
 */
import { createTestWireAdapter } from '@salesforce/wire-service-jest-util';

export const CurrentPageReference = createTestWireAdapter(jest.fn());

const Navigate = Symbol('Navigate');
const GenerateUrl = Symbol('GenerateUrl');

export const mockNavigate = jest.fn();
export const mockGenerateUrl = jest.fn(() => Promise.resolve('https://example.invalid/record'));

export const NavigationMixin = (Base) =>
  class extends Base {
    [Navigate](pageReference, replace) {
      mockNavigate(pageReference, replace);
    }

    [GenerateUrl](pageReference) {
      return mockGenerateUrl(pageReference);
    }
  };
NavigationMixin.Navigate = Navigate;
NavigationMixin.GenerateUrl = GenerateUrl;
