trigger DealApprovalTrigger on Deal_Approval__c(after update) {
    new DealApprovalTriggerHandler().run();
}
