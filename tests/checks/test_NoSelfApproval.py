from cdk_sagemaker_pipelines.checks import NoSelfApproval
from cdk_sagemaker_pipelines.checks._finding import Finding
from tests.checks.helpers import condition, definition, step


def _parameter(default: str | None) -> dict[str, str]:
    entry = {"Name": "Approval", "Type": "String"}
    if default is not None:
        entry["DefaultValue"] = default
    return entry


def test_Compliance():
    compliant = definition(
        step("Register", "RegisterModel", ModelApprovalStatus="PendingManualApproval"),
        step("Default", "RegisterModel"),  # the service's default is pending
        step("Param", "RegisterModel", ModelApprovalStatus={"Get": "Parameters.Approval"}),
        # Not a parameter default: decided at run time, limited by the role's condition.
        step("Joined", "RegisterModel", ModelApprovalStatus={"Std:Join": {"On": "", "Values": []}}),
        step("Train", "Training", ModelApprovalStatus="Approved"),  # not a registration
        parameters=[_parameter("PendingManualApproval")],
    )
    assert NoSelfApproval.check(compliant) == []
    # A parameter without a default must be given at start: nothing to judge at synth.
    assert (
        NoSelfApproval.check(
            definition(
                step("Param", "RegisterModel", ModelApprovalStatus={"Get": "Parameters.Approval"}),
                parameters=[_parameter(None)],
            )
        )
        == []
    )


def test_Noncompliance():
    noncompliant = definition(
        condition(
            "Check",
            [step("Register", "RegisterModel", ModelApprovalStatus="Approved")],
            [step("Param", "RegisterModel", ModelApprovalStatus={"Get": "Parameters.Approval"})],
        ),
        step("Rejected", "RegisterModel", ModelApprovalStatus="Rejected"),
        parameters=[_parameter("Approved")],
    )
    assert NoSelfApproval.check(noncompliant) == [
        Finding("Rejected", "Arguments.ModelApprovalStatus", "registers Rejected"),
        Finding("Register", "Arguments.ModelApprovalStatus", "registers Approved"),
        Finding("Param", "Arguments.ModelApprovalStatus", "registers Approved"),
    ]


def test_Compliance_malformed_entries():
    # A RegisterModel entry without Arguments registers pending (the service's default), and
    # a parameter entry that isn't an object names no default: neither is a finding (nor an
    # error, which run_rules would report as one).
    compliant = definition(
        {"Name": "Bare", "Type": "RegisterModel"},
        step("Param", "RegisterModel", ModelApprovalStatus={"Get": "Parameters.Approval"}),
        parameters=["Approval", _parameter("PendingManualApproval")],
    )
    assert NoSelfApproval.check(compliant) == []
