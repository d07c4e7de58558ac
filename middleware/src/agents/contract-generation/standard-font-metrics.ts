/**
 * pdfkit's standard fonts (Helvetica and friends), measured through tables shared by every
 * document in the process.
 *
 * pdfkit 0.20 builds each standard font's metrics anew for every document (an object with ~2,700
 * kerning-pair keys per font), and measures text glyph by glyph through string keys: every
 * adjacent pair of characters concatenates a new string to look its kerning up. Laying out a
 * contract measures each word several times (line breaking, justification, then drawing), so this
 * was about 40% of a contract's rendering time.
 *
 * Here each font's metrics come from pdfkit's own font object, read once per character and per
 * pair of characters into numeric tables that later documents reuse. The results are pdfkit's own
 * numbers (`contract-pdf.test.ts` renders contracts both ways and compares the bytes).
 *
 * This reaches into pdfkit internals (the document's font cache and the StandardFont shape), which
 * is why the package version is pinned; `share` checks that shape and leaves pdfkit alone if it
 * changed.
 */
import type PDFDocument from 'pdfkit';

type Doc = InstanceType<typeof PDFDocument>;

/** pdfkit's AFMFont: the parsed metrics of one standard font. */
interface AfmFont {
  ascender: number;
  descender: number;
  bbox: number[];
  lineGap: number;
  xHeight: number;
  capHeight: number;
  encodeText(text: string): string[];
  characterToGlyph(charCode: number): string;
  widthOfGlyph(glyph: string): number;
  getKernPair(left: string, right: string | undefined): number;
}

interface GlyphPosition {
  xAdvance: number;
  yAdvance: number;
  xOffset: number;
  yOffset: number;
  advanceWidth: number;
}

/** pdfkit's StandardFont, as far as documents use it. */
interface StandardFont {
  document: Doc;
  name: string;
  id: string;
  font: AfmFont;
  widthOfString(text: string, size: number): number;
  encode(text: string): [string[], GlyphPosition[]];
}

/** The document internals the font cache lives in (pdfkit's FontsMixin). */
interface DocFonts {
  _font: StandardFont | null;
  _fontFamilies: Record<string, StandardFont>;
  _fontCount: number;
  _registeredFonts: Record<string, unknown>;
}

const STANDARD_FONTS = new Set([
  'Courier',
  'Courier-Bold',
  'Courier-BoldOblique',
  'Courier-Oblique',
  'Helvetica',
  'Helvetica-Bold',
  'Helvetica-BoldOblique',
  'Helvetica-Oblique',
  'Times-Bold',
  'Times-BoldItalic',
  'Times-Italic',
  'Times-Roman',
]);

/** One font's metrics by UTF-16 code unit (what pdfkit iterates), filled in as characters appear. */
class CharMetrics {
  private readonly widths = new Map<number, number>();
  private readonly codes = new Map<number, string>();
  private readonly glyphs = new Map<number, string>();
  /** Kerning by `left * 65537 + right`, where `right` is 65536 at the end of the text. */
  private readonly kerning = new Map<number, number>();

  private readonly afm: AfmFont;

  constructor(afm: AfmFont) {
    this.afm = afm;
  }

  private glyph(c: number): string {
    let g = this.glyphs.get(c);
    if (g === undefined) this.glyphs.set(c, (g = this.afm.characterToGlyph(c)));
    return g;
  }

  width(c: number): number {
    let w = this.widths.get(c);
    if (w === undefined) this.widths.set(c, (w = this.afm.widthOfGlyph(this.glyph(c))));
    return w;
  }

  /** The kerning between `left` and `right`; `right` undefined at the end of the text, as in pdfkit. */
  kern(left: number, right: number | undefined): number {
    const key = left * 65537 + (right ?? 65536);
    let k = this.kerning.get(key);
    if (k === undefined) {
      k = this.afm.getKernPair(this.glyph(left), right === undefined ? undefined : this.glyph(right));
      this.kerning.set(key, k);
    }
    return k;
  }

  code(c: number): string {
    let hex = this.codes.get(c);
    if (hex === undefined) this.codes.set(c, (hex = this.afm.encodeText(String.fromCharCode(c))[0]!));
    return hex;
  }
}

/** StandardFont's measuring methods over shared tables, with pdfkit's arithmetic. */
function fastMethods(metrics: CharMetrics): Pick<StandardFont, 'widthOfString' | 'encode'> {
  const kernAfter = (text: string, i: number, c: number) =>
    metrics.kern(c, i + 1 < text.length ? text.charCodeAt(i + 1) : undefined);
  return {
    widthOfString(text: string, size: number): number {
      const s = `${text}`;
      let width = 0;
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        width += metrics.width(c) + kernAfter(s, i, c);
      }
      return width * (size / 1000);
    },
    encode(text: string): [string[], GlyphPosition[]] {
      const s = `${text}`;
      const encoded: string[] = [];
      const positions: GlyphPosition[] = [];
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        const width = metrics.width(c);
        encoded.push(metrics.code(c));
        positions.push({
          xAdvance: width + kernAfter(s, i, c),
          yAdvance: 0,
          xOffset: 0,
          yOffset: 0,
          advanceWidth: width,
        });
      }
      return [encoded, positions];
    },
  };
}

interface SharedFont {
  afm: AfmFont;
  /** StandardFont's prototype with the fast measuring methods on top. */
  proto: object;
}

const shared = new Map<string, SharedFont>();

const looksLikeStandardFont = (font: unknown): font is StandardFont => {
  const f = font as Partial<StandardFont> | null;
  const afm = f?.font as Partial<AfmFont> | undefined;
  return (
    typeof f?.encode === 'function' &&
    typeof f.widthOfString === 'function' &&
    typeof afm?.characterToGlyph === 'function' &&
    typeof afm.widthOfGlyph === 'function' &&
    typeof afm.getKernPair === 'function' &&
    typeof afm.encodeText === 'function'
  );
};

/** A document's instance of a shared font: what StandardFont's constructor sets, without re-parsing. */
function instantiate(doc: Doc, name: string, id: string, font: SharedFont): StandardFont {
  const { afm } = font;
  return Object.assign(Object.create(font.proto) as StandardFont, {
    document: doc,
    name,
    id,
    font: afm,
    ascender: afm.ascender,
    descender: afm.descender,
    bbox: afm.bbox,
    lineGap: afm.lineGap,
    xHeight: afm.xHeight,
    capHeight: afm.capHeight,
  });
}

/**
 * Makes `doc` open standard fonts from the shared tables. Call it on a document created with
 * `font: null`, before any text; the first document to use a font lets pdfkit build it and
 * shares it from then on.
 */
export function shareStandardFontMetrics(doc: Doc): void {
  const fonts = doc as unknown as DocFonts;
  const open = doc.font.bind(doc);
  const font = (src: unknown, family?: unknown, size?: unknown): Doc => {
    const name = typeof src === 'string' && family == null && STANDARD_FONTS.has(src) ? src : undefined;
    if (name === undefined || fonts._registeredFonts[name] || fonts._fontFamilies[name])
      return open(src as string, family as string, size as number);
    const known = shared.get(name);
    if (known) {
      // The id pdfkit would have given it: fonts are numbered in the order a document first uses them.
      fonts._fontFamilies[name] = instantiate(doc, name, `F${++fonts._fontCount}`, known);
      return open(name, undefined as unknown as string, size as number);
    }
    open(name, undefined as unknown as string, size as number);
    const built = fonts._font;
    if (looksLikeStandardFont(built) && built.name === name) {
      const proto = Object.create(Object.getPrototypeOf(built) as object) as object;
      Object.assign(proto, fastMethods(new CharMetrics(built.font)));
      shared.set(name, { afm: built.font, proto });
      Object.setPrototypeOf(built, proto);
    }
    return doc;
  };
  doc.font = font as Doc['font'];
}
