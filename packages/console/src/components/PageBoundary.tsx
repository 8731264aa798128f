// A page that throws while rendering shows the error in place of the page, never a blank screen.
import { Component, type ReactNode } from 'react';
import { ErrorBox } from './ErrorBox.tsx';

export class PageBoundary extends Component<{ children: ReactNode }, { error: unknown }> {
  override state = { error: undefined as unknown };
  static getDerivedStateFromError(error: unknown) {
    return { error };
  }
  override render() {
    return this.state.error === undefined ? this.props.children : <ErrorBox error={this.state.error} />;
  }
}
