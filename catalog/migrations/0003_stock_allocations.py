"""Stock becomes quantity on hand, units held by open orders, and what is available.

The old `stock` was what was left to sell: on hand minus what open orders had taken. So each
open order (placed or paid, not yet released) gets an allocation for its lines, and its units
go back into the quantity on hand; `available` comes out equal to the old `stock`.
"""

import django.db.models.deletion
import django.db.models.functions.comparison
from django.db import migrations, models
from django.db.models import F

OPEN_ORDER_STATUSES = ["placed", "paid"]


def allocate_open_orders(apps, schema_editor):
    Product = apps.get_model("catalog", "Product")
    StockAllocation = apps.get_model("catalog", "StockAllocation")
    OrderLine = apps.get_model("orders", "OrderLine")
    open_lines = OrderLine.objects.filter(
        order__status__in=OPEN_ORDER_STATUSES, order__stock_released=False
    ).values_list("order_id", "product_id", "quantity")
    for order_id, product_id, quantity in open_lines.iterator():
        StockAllocation.objects.create(product_id=product_id, holder=f"order:{order_id}", quantity=quantity)
        Product.objects.filter(id=product_id).update(
            quantity=F("quantity") + quantity, allocated=F("allocated") + quantity
        )


def back_to_stock(apps, schema_editor):
    Product = apps.get_model("catalog", "Product")
    Product.objects.update(quantity=F("available"))
    apps.get_model("catalog", "StockAllocation").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_productimage_imagerendition"),
        ("orders", "0002_checkout_fields"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="product", name="product_stock_not_negative"),
        migrations.RenameField(model_name="product", old_name="stock", new_name="quantity"),
        migrations.AlterField(
            model_name="product",
            name="quantity",
            field=models.PositiveIntegerField(default=0, help_text="Units on hand, as last counted."),
        ),
        migrations.AddField(
            model_name="product",
            name="allocated",
            field=models.PositiveIntegerField(default=0, help_text="Units held by open orders."),
        ),
        migrations.AddField(
            model_name="product",
            name="available",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.comparison.Greatest(
                    models.F("quantity") - models.F("allocated"), 0
                ),
                help_text="Units for sale: on hand minus those held, never below 0.",
                output_field=models.PositiveIntegerField(),
            ),
        ),
        migrations.AddConstraint(
            model_name="product",
            constraint=models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="product_quantity_not_negative"
            ),
        ),
        migrations.AddConstraint(
            model_name="product",
            constraint=models.CheckConstraint(
                condition=models.Q(allocated__gte=0), name="product_allocated_not_negative"
            ),
        ),
        migrations.CreateModel(
            name="StockAllocation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("holder", models.CharField(max_length=40)),
                ("quantity", models.PositiveIntegerField()),
                (
                    "state",
                    models.CharField(
                        choices=[("open", "Open"), ("released", "Released"), ("fulfilled", "Fulfilled")],
                        default="open",
                        max_length=10,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="allocations",
                        to="catalog.product",
                    ),
                ),
            ],
            options={
                "ordering": ["product", "id"],
                "indexes": [models.Index(fields=["holder", "state"], name="allocation_holder_state")],
                "constraints": [
                    models.UniqueConstraint(fields=("holder", "product"), name="allocation_once_per_holder"),
                    models.CheckConstraint(condition=models.Q(quantity__gt=0), name="allocation_quantity_positive"),
                ],
            },
        ),
        migrations.RunPython(allocate_open_orders, back_to_stock),
    ]
