/** How a display draws its pages: light, dark, or high contrast for a screen seen from across a room. */
export type DisplayTheme = 'light' | 'dark' | 'contrast';

/** The themes a display may have, in the order the Displays form offers them. */
export const displayThemes: readonly DisplayTheme[] = ['light', 'dark', 'contrast'];
