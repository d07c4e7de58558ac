/**
 * Lightning Local's stand-in for DealDeskController (middleware/src/local/lightning) keeps the Apex
 * class's contract: the same @AuraEnabled methods with the same parameters in the same order and
 * the same cacheability, results with exactly the class's @AuraEnabled fields and types (a field
 * is never null only where the class initialises it), and the class's own error messages. The
 * Apex side is read with @apexdevtools/apex-parser, so a renamed field or a reworded message in
 * either place fails here.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ApexErrorListener, ApexParserFactory } from '@apexdevtools/apex-parser';
import type { z } from 'zod';
import { DEFAULT_DIR, read } from './support/project.ts';
import { APEX_MESSAGES, DEAL_DESK_CONTROLLER } from '@dealdesk/middleware/lightning';

interface ApexMethod {
  name: string;
  cacheable: boolean;
  returns: string;
  params: [string, string][];
}
interface ApexField {
  type: string;
  initialised: boolean;
}
interface ApexClassShape {
  methods: ApexMethod[];
  classes: Map<string, Map<string, ApexField>>;
}

class Failing extends ApexErrorListener {
  apexSyntaxError(line: number, column: number, message: string): void {
    throw new Error(`DealDeskController.cls ${line}:${column} ${message}`);
  }
}

type Modifier = { annotation(): { id(): { getText(): string }; elementValuePairs(): Pairs | null } | null };
type Pairs = {
  elementValuePair_list(): { id(): { getText(): string }; elementValue(): { getText(): string } }[];
};

function auraEnabled(modifiers: Modifier[]): { cacheable: boolean } | undefined {
  for (const m of modifiers) {
    const annotation = m.annotation();
    if (annotation?.id().getText().toLowerCase() !== 'auraenabled') continue;
    const pairs = annotation.elementValuePairs()?.elementValuePair_list() ?? [];
    const cacheable = pairs.find((p) => p.id().getText().toLowerCase() === 'cacheable');
    return { cacheable: cacheable?.elementValue().getText().toLowerCase() === 'true' };
  }
  return undefined;
}

/** The class's @AuraEnabled methods and the @AuraEnabled fields of its inner classes. */
function readApexClass(source: string): ApexClassShape {
  const { parser } = ApexParserFactory.createLexerAndParser(source, new Failing());
  const outer = parser.compilationUnit().typeDeclaration().classDeclaration();
  const shape: ApexClassShape = { methods: [], classes: new Map() };
  for (const decl of outer.classBody().classBodyDeclaration_list()) {
    const member = decl.memberDeclaration();
    if (!member) continue;
    const method = member.methodDeclaration();
    const aura = auraEnabled(decl.modifier_list() as unknown as Modifier[]);
    if (method && aura) {
      const params = method.formalParameters().formalParameterList()?.formalParameter_list() ?? [];
      shape.methods.push({
        name: method.id().getText(),
        cacheable: aura.cacheable,
        returns: method.typeRef()?.getText() ?? 'void',
        params: params.map((p) => [p.id().getText(), p.typeRef().getText()]),
      });
    }
    const inner = member.classDeclaration();
    if (!inner) continue;
    const fields = new Map<string, ApexField>();
    for (const d of inner.classBody().classBodyDeclaration_list()) {
      const field = d.memberDeclaration()?.fieldDeclaration();
      if (!field || !auraEnabled(d.modifier_list() as unknown as Modifier[])) continue;
      for (const v of field.variableDeclarators().variableDeclarator_list()) {
        fields.set(v.id().getText(), { type: field.typeRef().getText(), initialised: v.ASSIGN() !== null });
      }
    }
    shape.classes.set(inner.id().getText(), fields);
  }
  return shape;
}

/** The string literals of an Apex source, unescaped. */
function stringLiterals(source: string): Set<string> {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  return new Set([...code.matchAll(/'((?:[^'\\]|\\.)*)'/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1')));
}

const apexTypeOf = (schema: z.ZodType): string | undefined => schema.meta()?.apexType as string | undefined;

function unwrap(schema: z.ZodType): { inner: z.ZodType; nullable: boolean } {
  return schema.def.type === 'nullable'
    ? { inner: (schema as unknown as z.ZodNullable<z.ZodType>).unwrap(), nullable: true }
    : { inner: schema, nullable: false };
}

/** Compares one schema with the Apex inner class it stands for, and the classes it contains. */
function compareClass(schema: z.ZodType, apex: ApexClassShape, seen: Set<string>): void {
  const name = apexTypeOf(schema)!;
  if (seen.has(name)) return;
  seen.add(name);
  const fields = apex.classes.get(name);
  assert.ok(fields, `DealDeskController has no inner class ${name}`);
  const shape = (schema as unknown as z.ZodObject<z.ZodRawShape>).shape;
  assert.deepEqual(Object.keys(shape).sort(), [...fields.keys()].sort(), `${name}: the @AuraEnabled fields`);
  for (const [fieldName, field] of fields) {
    const { inner, nullable } = unwrap(shape[fieldName] as z.ZodType);
    assert.equal(apexTypeOf(inner), field.type, `${name}.${fieldName}: type`);
    assert.equal(
      nullable,
      !field.initialised,
      `${name}.${fieldName}: null exactly when the class leaves it unset`,
    );
    const element = inner.def.type === 'array' ? (inner as unknown as z.ZodArray<z.ZodType>).element : inner;
    if (element.def.type === 'object') compareClass(element, apex, seen);
  }
}

describe('Lightning Local keeps DealDeskController in step', () => {
  const apex = readApexClass(read(join(DEFAULT_DIR, 'classes', 'DealDeskController.cls')));

  it('offers exactly the @AuraEnabled methods, with their parameters and cacheability', () => {
    assert.deepEqual(
      Object.entries(DEAL_DESK_CONTROLLER.methods)
        .map(([name, m]) => ({
          name,
          cacheable: m.cacheable,
          returns: apexTypeOf(m.returns),
          params: m.params.map(([p, t]) => [p, t]),
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      apex.methods.sort((a, b) => a.name.localeCompare(b.name)),
    );
  });

  it('returns exactly the fields of the Apex result classes, with their types', () => {
    const seen = new Set<string>();
    for (const method of Object.values(DEAL_DESK_CONTROLLER.methods)) {
      if (method.returns.def.type === 'object') compareClass(method.returns, apex, seen);
    }
    // Every inner class the methods return is compared; none is left out.
    assert.deepEqual([...seen].sort(), [...apex.classes.keys()].sort());
  });

  it("gives the Apex code's own error messages", () => {
    const literals = new Set([
      ...stringLiterals(read(join(DEFAULT_DIR, 'classes', 'DealDeskController.cls'))),
      ...stringLiterals(read(join(DEFAULT_DIR, 'classes', 'DealClosureService.cls'))),
    ]);
    for (const [key, parts] of Object.entries(APEX_MESSAGES)) {
      for (const part of parts) assert.ok(literals.has(part), `${key}: '${part}' is not in the Apex code`);
    }
  });
});
