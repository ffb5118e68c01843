#!/usr/bin/env python3
"""Regenerate cases.json: inputs rendered by the real AWS CLI formatters.

Each case is a response (as JSON, key order kept), an optional --query, a
table title and terminal width, and the exact output of:

  json, text, table  awscli.formatter (AWS CLI v1 1.45.x, color off), the
                     same code AWS CLI v2 uses for these formats;
  yaml, yaml-stream  ruamel.yaml 0.17.21 YAML(typ='safe') with
                     default_flow_style=False and the libyaml emitter
                     (ruamel.yaml.clib), the dumper AWS CLI v2 uses; a scalar
                     result is printed as JSON, {} prints nothing.

Requirements: the awscli package, jmespath, and ruamel.yaml with its C
emitter importable from the same interpreter (on Debian:
apt-get install python3-ruamel.yaml python3-ruamel.yaml.clib, then add
/usr/lib/python3/dist-packages to PYTHONPATH). Run from this directory:

    python3 generate.py > cases.json

The Go test (awscli_test.go) only reads cases.json; it never rewrites it.
"""

import copy
import io
import json
import random
import sys

import jmespath
from awscli.formatter import JSONFormatter, TableFormatter, TextFormatter
from awscli.table import Styler
from ruamel.yaml import YAML


class Args:
    def __init__(self, query):
        self.query = jmespath.compile(query) if query else None
        self.color = 'off'


def run_cli_formatter(fmt, title, data, query, width):
    cls = {'json': JSONFormatter, 'text': TextFormatter, 'table': TableFormatter}[fmt]
    formatter = cls(Args(query))
    if fmt == 'table':
        formatter.table._styler = Styler()
        formatter.table._terminal_width = width
    out = io.StringIO()
    try:
        formatter(title, copy.deepcopy(data), out)
    except Exception as e:  # noqa: BLE001 - the CLI prints this and exits 255
        raise FormatterError(str(e), out.getvalue()) from e
    return out.getvalue()


class FormatterError(Exception):
    """A formatter failure with what it had written before failing."""

    def __init__(self, message, partial):
        super().__init__(message)
        self.partial = partial


def run_yaml(data, query, stream):
    if query:
        data = jmespath.search(query, copy.deepcopy(data))
    if data == {}:
        return ''
    if stream:
        data = [data]
    out = io.StringIO()
    if not isinstance(data, (dict, list)):
        json.dump(data, out, indent=4, ensure_ascii=False)
        out.write('\n')
        return out.getvalue()
    yaml = YAML(typ='safe')
    yaml.default_flow_style = False
    yaml.dump(data, out)
    return out.getvalue()


def case(name, data, query=None, title='Op', width=80):
    """Render data every way; a formatter that raises (the CLI then exits
    255 with the message) is recorded under errors instead of outputs."""
    outputs, errors = {}, {}
    runs = {fmt: (lambda fmt=fmt: run_cli_formatter(fmt, title, data, query, width))
            for fmt in ('json', 'text', 'table')}
    runs['yaml'] = lambda: run_yaml(data, query, False)
    runs['yaml-stream'] = lambda: run_yaml(data, query, True)
    for fmt, run in runs.items():
        try:
            outputs[fmt] = run()
        except FormatterError as e:
            errors[fmt] = {'message': str(e), 'partial': e.partial}
    return {'name': name, 'title': title, 'width': width, 'query': query,
            'input': data, 'outputs': outputs, 'errors': errors}


KEY = {
    'AWSAccountId': '111122223333',
    'KeyId': '1234abcd-12ab-34cd-56ef-1234567890ab',
    'Arn': 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    'CreationDate': 1763796691.0,
    'Enabled': True,
    'Description': 'caf\u00e9 \u5bc6\u94a5 key',
    'KeyUsage': 'ENCRYPT_DECRYPT',
    'KeyState': 'Enabled',
    'Origin': 'AWS_KMS',
    'KeyManager': 'CUSTOMER',
    'EncryptionAlgorithms': ['SYMMETRIC_DEFAULT'],
    'MultiRegion': False,
    'PendingDeletionWindowInDays': 7,
}

KEYS = {'Keys': [
    {'KeyId': 'k1', 'KeyArn': 'arn:aws:kms:us-east-1:111122223333:key/k1'},
    {'KeyId': 'k2', 'KeyArn': 'arn:aws:kms:us-east-1:111122223333:key/k2'},
], 'NextToken': 'eyJNYXJrZXIiOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAyfQ=='}

ALIASES = {'Aliases': [
    {'AliasName': 'alias/one', 'AliasArn': 'arn:aws:kms:us-east-1:111122223333:alias/one',
     'TargetKeyId': 'k1', 'CreationDate': 1763796691.242},
    {'AliasName': 'alias/aws/ebs', 'AliasArn': 'arn:aws:kms:us-east-1:111122223333:alias/aws/ebs'},
    {'AliasName': 'alias/two', 'AliasArn': 'arn:aws:kms:us-east-1:111122223333:alias/two',
     'TargetKeyId': 'k2', 'LastUpdatedDate': 1763796692.5},
]}


def curated():
    yield case('describe-key-wide', {'KeyMetadata': KEY}, title='DescribeKey')
    yield case('describe-key-wide-200', {'KeyMetadata': KEY}, title='DescribeKey', width=200)
    yield case('describe-key-narrow-40', {'KeyMetadata': KEY}, title='DescribeKey', width=40)
    yield case('list-keys-next-token', KEYS, title='ListKeys')
    yield case('list-aliases-missing-members', ALIASES, title='ListAliases')
    yield case('query-hash-order', {'KeyMetadata': KEY}, 'KeyMetadata.{b: KeyState, a: KeyId}')
    yield case('query-hash-order-nested', {'KeyMetadata': KEY},
               '{Z: KeyMetadata.{y: KeyId, x: Enabled}, A: KeyMetadata.EncryptionAlgorithms}')
    yield case('query-list-missing', {'KeyMetadata': KEY},
               'KeyMetadata.[KeyId,KeyState,Enabled,KeyUsage,NoSuchMember]')
    yield case('query-passthrough', {'KeyMetadata': KEY}, 'KeyMetadata')
    yield case('query-projection', KEYS, 'Keys[].KeyId')
    yield case('query-filter-legacy-literal', ALIASES, 'Aliases[?TargetKeyId==`k2`]')
    yield case('query-filter-json-literal', ALIASES, 'Aliases[?TargetKeyId==`"k1"`].AliasName')
    yield case('query-filter-raw-string', ALIASES, "Aliases[?starts_with(AliasName, 'alias/aws')]")
    yield case('query-length', KEYS, 'length(Keys)')
    yield case('query-int', {'KeyMetadata': KEY}, 'KeyMetadata.PendingDeletionWindowInDays')
    yield case('query-float-integral', {'KeyMetadata': KEY}, 'KeyMetadata.CreationDate')
    yield case('query-string', {'KeyMetadata': KEY}, 'KeyMetadata.Arn')
    yield case('query-null', {'KeyMetadata': KEY}, 'KeyMetadata.NoSuchMember')
    yield case('query-bool-false', {'KeyMetadata': KEY}, 'KeyMetadata.MultiRegion')
    yield case('query-empty-list', {'Keys': []}, 'Keys')
    yield case('query-empty-object', {'KeyMetadata': {}}, 'KeyMetadata')
    yield case('query-sort-by', ALIASES, 'sort_by(Aliases, &AliasName)[].{n: AliasName, t: TargetKeyId}')
    yield case('query-hash-of-lists', ALIASES, '{names: Aliases[].AliasName, count: length(Aliases)}')
    yield case('empty-result', {})
    yield case('nested-lists', {'Matrix': [[1, 2], [3, [4, 5]], [], 'x', None]}, title='Nested')
    yield case('list-of-lists-table', {'Rows': [['a', 'b'], ['c', 'd']]}, title='Rows')
    yield case('scalars', {'i': 0, 'f': 0.1, 'big': 1e16, 'small': 1e-05, 'neg': -0.0,
                           'n': None, 't': True, 'e': '', 's': ' padded '}, title='Scalars')
    yield case('list-objects-with-children', {'Grants': [
        {'GrantId': 'g1', 'Operations': ['Encrypt', 'Decrypt'],
         'Constraints': {'EncryptionContextEquals': {'a': '1', 'b': '2'}}},
        {'GrantId': 'g2', 'Name': 'second', 'Operations': ['Sign']},
    ]}, title='ListGrants')
    yield case('escapes', {'Tab': 'a\tb', 'Newline': 'line1\nline2', 'Quote': 'say "hi" \\ \'x\'',
                           'Controls': '\x00\x01\x1f\x7f', 'Html': '</script> & <b>',
                           'Separators': 'a\u2028b\u2029c', 'Emoji': '\U0001F600 ok',
                           'NBSP': 'a\u00a0b', 'BOM': '\ufeffx'}, title='Escapes')
    yield case('yaml-quoting', {k: k for k in [
        'true', 'False', 'yes', 'no', 'on', 'null', '~', '', '0', '012', '0x1F', '1e5', '1.5',
        '.inf', '2026-11-22', '2026-11-22T07:31:31.242000+00:00', '1:20', '-', '- x', 'a: b',
        'a:b', '#c', 'a #c', 'a#c', '@x', '`x', '!x', '&x', '*x', '|', '>', "'q'", '"q"',
        '[x', 'x]', '{x', 'x,y', '?', '? x', 'x ', ' x', '---', '...', '<<', '=', 'NO']},
        title='Quoting')
    yield case('yaml-folding', {'Long': ' '.join(['word'] * 40),
                                'LongQuoted': 'x: ' + ' '.join(['word'] * 40),
                                'LongDouble': 'tab\t' + ' '.join(['word'] * 40),
                                'Nested': {'Deeper': {'Text': ' '.join(['abcdefghij'] * 12)}},
                                'Items': [' '.join(['item'] * 30)]}, title='Folding')
    yield case('long-key', {'k' * 130: 'v', 'multi\nline': 'v2'}, title='Keys')
    yield case('wide-chars-table', {'Tags': [
        {'TagKey': '\u540d\u524d', 'TagValue': '\u30c6\u30b9\u30c8'},
        {'TagKey': 'caf\u00e9', 'TagValue': '\U0001F600'},
    ]}, title='ListResourceTags')
    yield case('title-wider-than-content', {'A': 'b'}, title='AVeryLongOperationNameThatIsWide')
    yield case('empty-title', {'A': 'b', 'C': 'd'}, title='')
    yield case('top-level-list', [{'a': 1}, {'b': 2}], title='List')
    yield case('top-level-scalar-list', ['x', 'y', 3], title='List')
    yield case('mixed-list', {'L': [1, 'two', {'three': 3}, [4]]}, title='Mixed')


WORDS = ['Key', 'Id', 'arn', 'Zeta', 'alpha', '\u00e9t\u00e9', 'Name', 'x', 'Value', 'b_c']


def rand_scalar(rng):
    choice = rng.randrange(9)
    if choice == 0:
        return None
    if choice == 1:
        return rng.random() < 0.5
    if choice == 2:
        return rng.randrange(-1000, 100000)
    if choice == 3:
        return round(rng.uniform(-1e10, 1e10), rng.randrange(0, 4))
    if choice == 4:
        return ''
    n = rng.randrange(1, 6)
    return ' '.join(rng.choice(WORDS + ['long-' + 'v' * rng.randrange(10, 60)]) for _ in range(n))


def rand_value(rng, depth):
    r = rng.random()
    if depth > 3 or r < 0.5:
        return rand_scalar(rng)
    if r < 0.75:
        return rand_object(rng, depth + 1)
    if rng.random() < 0.5:
        shape = rand_object(rng, depth + 1)
        return [dict((k, rand_value(rng, depth + 2) if not isinstance(v, (int, str)) or rng.random() < 0.5 else v)
                     for k, v in shape.items() if rng.random() < 0.8) for _ in range(rng.randrange(0, 4))]
    return [rand_value(rng, depth + 1) for _ in range(rng.randrange(0, 4))]


def rand_object(rng, depth):
    keys = rng.sample(WORDS, rng.randrange(0, 6))
    return {k: rand_value(rng, depth) for k in keys}


def randomized(count):
    rng = random.Random(20261122)
    for i in range(count):
        width = rng.choice([80, 80, 120, 60])
        yield case('random-%03d' % i, rand_object(rng, 0) or {'Only': 'x'}, title='Random%d' % i, width=width)


def main():
    cases = list(curated()) + list(randomized(120))
    json.dump(cases, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
