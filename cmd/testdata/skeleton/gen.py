# Regenerates the *.json and *.yaml files here: the input skeletons that
# AWS CLI v2 prints for `aws kms <op> --generate-cli-skeleton [yaml-input]`,
# made by the AWS CLI's own generators over a botocore KMS service model.
#
#   apt-get install -y awscli     # AWS CLI v2 (2.9.19 here), system python3
#   gunzip -c .../botocore/data/kms/2014-11-01/service-2.json.gz > /tmp/kms.json
#   /usr/bin/python3 gen.py /tmp/kms.json .
#
# The model used here is botocore 1.43.11's; the CLI's own model is older,
# so its binary's output differs where the model changed since.
import json
import re
import sys

from awscli.botocore.model import ServiceModel
from awscli.botocore.utils import ArgumentGenerator
from awscli.customizations.generatecliskeleton import YAMLArgumentGenerator, _Bytes
from awscli.utils import json_encoder
from ruamel.yaml import YAML

model = ServiceModel(json.load(open(sys.argv[1])), "kms")
out = sys.argv[2]
for name in model.operation_names:
    shape = model.operation_model(name).input_shape
    base = re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()
    yaml = YAML()
    yaml.representer.add_representer(_Bytes, _Bytes.represent)
    skeleton = YAMLArgumentGenerator().generate_skeleton(shape) if shape else yaml.map()
    with open(f"{out}/{base}.yaml", "w") as f:
        yaml.dump(skeleton, f)
    skeleton = ArgumentGenerator().generate_skeleton(shape) if shape else {}
    with open(f"{out}/{base}.json", "w") as f:
        json.dump(skeleton, f, indent=4, default=json_encoder)
        f.write("\n")
