#!/usr/bin/env python3
"""Generates kms/model.go from the botocore-derived model reference.

Usage: python3 kms/internal/modelgen/modelgen.py ../shared/reference > kms/model.go

Reads kms-model-reference.md (operations, members in print order, types and
constraints) and kms-inventory.md section A.0 (enum names and values), and
emits one Go input and output struct per operation, the shared structures,
and one string type per enum with its constants and Values().
"""
import re, sys, os

ref = sys.argv[1]
model = open(os.path.join(ref, 'kms-model-reference.md')).read()
inv = open(os.path.join(ref, 'kms-inventory.md')).read()

# enums from A.0
enums = {}
for m in re.finditer(r'^\| `(\w+)` \| (`[^|]*`) \|$', inv, re.M):
    name, vals = m.group(1), re.findall(r'`([^`]+)`', m.group(2))
    if name in ('AlgorithmSpec',):
        name = 'AlgorithmSpec'
    enums[name] = vals
# type names we prefer for the Go side
rename = {'KeyUsageType': 'KeyUsage', 'OriginType': 'Origin', 'KeyManagerType': 'KeyManager',
          'ExpirationModelType': 'ExpirationModel', 'MultiRegionKeyType': 'MultiRegionKeyType',
          'ConnectionStateType': 'ConnectionState', 'ConnectionErrorCodeType': 'ConnectionErrorCode',
          'XksProxyConnectivityType': 'XksProxyConnectivity', 'EncryptionAlgorithmSpec': 'EncryptionAlgorithm',
          'SigningAlgorithmSpec': 'SigningAlgorithm', 'MacAlgorithmSpec': 'MacAlgorithm',
          'KeyAgreementAlgorithmSpec': 'KeyAgreementAlgorithm', 'AlgorithmSpec': 'WrappingAlgorithm',
          'KeyLastUsageTrackingOperation': 'KeyLastUsageOperation'}
byvals = {}
for n, v in enums.items():
    byvals.setdefault(tuple(v), rename.get(n, n))

def goident(v):
    return ''.join(p[:1].upper() + p[1:].lower() if p.isupper() or p.isdigit() else p[:1].upper() + p[1:]
                   for p in re.split(r'[_\-]', v))

def parse_type(t):
    """returns (gotype, tags) from e.g. 'string [min=1; max=2048]'"""
    t = t.strip()
    m = re.match(r'^(\w+(?:<[^>]*(?:<[^>]*>)?[^>]*>)?)\s*(?:\[(.*)\])?$', t)
    base, cons = m.group(1), m.group(2) or ''
    tags = {}
    enum = None
    for c in [c.strip() for c in re.split(r';\s*(?=\w+=)', cons) if c.strip()]:
        k, _, v = c.partition('=')
        if k == 'enum':
            enum = tuple(v.split('|'))
        else:
            tags[k] = v
    return base, tags, enum

# Members AWS sends in every response even when they are empty, so they carry
# no omitempty: the list results of the List and Describe operations and the
# lists inside structures that are always part of an answer (seen as [] in
# responses recorded from AWS), KeyMetadata's Description (""), and, through
# member_go, every member the model marks required in a response structure
# (a tag's TagValue is sent as "" when empty). Lists AWS leaves out when
# empty (KeyMetadata's and GetPublicKey's algorithm lists) keep omitempty.
always_sent = {
    'ListKeysOutput': ('Keys',),
    'ListAliasesOutput': ('Aliases',),
    'ListResourceTagsOutput': ('Tags',),
    'ListGrantsOutput': ('Grants',),
    'ListRetirableGrantsOutput': ('Grants',),
    'ListKeyPoliciesOutput': ('PolicyNames',),
    'ListKeyRotationsOutput': ('Rotations',),
    'DescribeCustomKeyStoresOutput': ('CustomKeyStores',),
    'ReplicateKeyOutput': ('ReplicaTags',),
    'GrantListEntry': ('Operations',),
    'MultiRegionConfiguration': ('ReplicaKeys',),
    'KeyMetadata': ('Description',),
}

def member_go(name, t, out, required, owner):
    base, tags, enum = parse_type(t)
    inner = None
    lm = re.match(r'^list<(.*)>$', base + ('' if not t.strip().startswith('list<') else ''), )
    if t.strip().startswith('list<'):
        elem = t.strip()[5:-1]
        eb, etags, eenum = parse_type(elem)
        if eb == 'string':
            et = byvals.get(eenum, 'string') if eenum else 'string'
        else:
            et = eb
        gt = '[]' + et
        tags = {k: v for k, v in etags.items()}  # element constraints
        tags = {('item' + k.capitalize()): v for k, v in tags.items()}
    elif t.strip().startswith('map<'):
        gt = 'map[string]string'
    elif base == 'string':
        gt = byvals.get(enum, 'string') if enum else 'string'
    elif base == 'integer':
        gt = '*int32'
    elif base == 'boolean':
        gt = '*bool'
    elif base == 'blob':
        gt = '[]byte'
    elif base == 'timestamp':
        gt = '*Timestamp'
    else:
        gt = '*' + base
    omit = ',omitempty'
    if name in always_sent.get(owner, ()) or (out and required):
        omit = ''
    if name == 'CloudHsmClusterId':
        # pkms maps a CloudHSM cluster to a PKCS#11 token: the member holds
        # the token's label (at most 32 bytes) or slot:N, not cluster-….
        tags = {'min': '1', 'max': '32'}
    tag = 'json:"%s%s"' % (name, omit)
    if required:
        tag += ' required:"true"'
    for k in ('min', 'max', 'pattern', 'itemMin', 'itemMax', 'itemPattern'):
        if k in tags:
            v = tags[k].replace('\\', '\\\\').replace('"', '\\"')
            tag += ' %s:"%s"' % (k, v)
    return '\t%s %s `%s`' % (name, gt, tag)

out = []
out.append('// Code generated by kms/internal/modelgen from the botocore kms 2014-11-01 model reference. DO NOT EDIT.\n')
out.append('package kms\n')
out.append('import "reflect"\n')

# enums
for vals, name in sorted(byvals.items(), key=lambda x: x[1]):
    out.append('// %s is the AWS enum of that name.\ntype %s string\n' % (name, name))
    out.append('const (')
    for v in vals:
        out.append('\t%s%s %s = "%s"' % (name, goident(v), name, v))
    out.append(')\n')
    out.append('// Values lists every value AWS defines for %s, in model order.\nfunc (%s) Values() []string {\n\treturn []string{%s}\n}\n' % (
        name, name, ', '.join('"%s"' % v for v in vals)))

# pkms extensions to AWS requests: members AWS does not have, named Pkms* so
# that they can never collide with a future AWS member.
extensions = {
    'CreateCustomKeyStoreInput': ['\t// PkmsPkcs11Module (pkms only) is the PKCS#11 module through which the\n'
                                  '\t// token named by CloudHsmClusterId is reached.\n'
                                  '\tPkmsPkcs11Module string `json:"PkmsPkcs11Module,omitempty" min:"1" max:"4096"`'],
    'CreateKeyInput': ['\t// PkmsExportable (pkms only, never sent by AWS clients) marks the key material\n'
                       '\t// as exportable with pkms export-key-material, for BYOK into a cloud KMS.\n'
                       '\t// It can only be set when the key is created.\n'
                       '\tPkmsExportable *bool `json:"PkmsExportable,omitempty"`',
                       '\t// PkmsTokenSigning (pkms only) allows an asymmetric SIGN_VERIFY key in a\n'
                       '\t// custom key store: its key pair is generated in the store\'s token.\n'
                       '\tPkmsTokenSigning *bool `json:"PkmsTokenSigning,omitempty"`'],
}

ops = re.split(r'^## ', model.split('# Structures')[0], flags=re.M)[1:]
opnames = []
for block in ops:
    head = block.splitlines()[0]
    op = head.split()[0]
    opnames.append(op)
    inp = block.split('Input:')[1].split('Output (in print order):')[0]
    outp = block.split('Output (in print order):')[1].split('Errors:')[0]
    out.append('// %sInput is the request of %s (`aws kms %s`).' % (op, op, re.search(r'aws kms ([\w-]+)', head).group(1)))
    out.append('type %sInput struct {' % op)
    for line in inp.strip().splitlines():
        m = re.match(r'^- `--[\w-]+` (\w+)(\*?) : (.*)$', line.strip())
        if m:
            out.append(member_go(m.group(1), m.group(3), False, m.group(2) == '*', op + 'Input'))
    out.extend(extensions.get(op + 'Input', []))
    out.append('}\n')
    out.append('// %sOutput is the response of %s, members in the order the CLI prints them.' % (op, op))
    out.append('type %sOutput struct {' % op)
    for line in outp.strip().splitlines():
        m = re.match(r'^- (\w+) : (.*)$', line.strip())
        if m:
            out.append(member_go(m.group(1), m.group(2), True, False, op + 'Output'))
    out.append('}\n')

structs = re.split(r'^### ', model.split('# Structures')[1], flags=re.M)[1:]
for block in structs:
    lines = block.strip().splitlines()
    name = lines[0].strip()
    out.append('// %s is the AWS structure of that name, members in model order.' % name)
    out.append('type %s struct {' % name)
    for line in lines[1:]:
        m = re.match(r'^- (\w+)(\*?) : (.*)$', line.strip())
        if m:
            out.append(member_go(m.group(1), m.group(3), True, m.group(2) == '*', name))
    out.append('}\n')

out.append('// modelShapes maps every AWS KMS operation, in model order, to its input and output types.')
out.append('var modelShapes = []struct {\n\tName     string\n\tIn, Out reflect.Type\n}{')
for o in opnames:
    out.append('\t{"%s", reflect.TypeFor[%sInput](), reflect.TypeFor[%sOutput]()},' % (o, o, o))
out.append('}\n')
print('\n'.join(out))
