// esbuild loads .svg and .md files as text (scripts/viewer-site.ts): the statechart is inlined in the page.
declare module '*.svg' {
  const text: string;
  export default text;
}

// docs/figure2.md, inlined as text the same way: the rules the viewer links each step to.
declare module '*.md' {
  const text: string;
  export default text;
}
